package io.zerodds.flatdata.iceoryx2;

import static org.assertj.core.api.Assertions.assertThat;

import io.zerodds.flatdata.SlotBackend;
import io.zerodds.flatdata.SlotBackendContractTest;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The core contract suite against the iceoryx2 backend. The tests listed in {@link #EXCEPTIONS}
 * check what iceoryx2 cannot give, each with the reason (the report shows them as disabled with
 * it); every other test of the suite runs. {@code -Dflatdata.contract.all=true} runs them too.
 */
@ExtendWith(Iceoryx2ContractTest.Exceptions.class)
class Iceoryx2ContractTest extends SlotBackendContractTest {

    private static final Iox2Names NAMES = new Iox2Names("contract");

    private static final String TWO_TABLES = "over iceoryx2 a sent chunk leaves the writer, and the readers' slots"
            + " are a table of their own: ";

    /** Contract tests that cannot hold over iceoryx2, and why. */
    static final Map<String, String> EXCEPTIONS = Map.ofEntries(
            Map.entry("commitInPlaceIsByteForByteTheSameAsCommitSlot",
                    TWO_TABLES + "it reads both samples back through the writer's slot indexes with no reader"),
            Map.entry("commitPublishesHeaderAndBytesAndNumbersSamplesInOrder",
                    TWO_TABLES + "it reads a sent sample through the writer's slot index"),
            Map.entry("theSlotHeaderHoldsTheLow32BitsOfTheSequence",
                    TWO_TABLES + "it reads a sent sample back through the writer's slot with no reader attached"
                            + " (the 2^32 wrap of readers is covered by deliveryStaysInOrderAcrossThe32BitSequenceWrap)"),
            Map.entry("slotSequenceDetectsThatAViewWasRecycled",
                    TWO_TABLES + "it expects the writer's next loan to reuse the reader's slot index"),
            Map.entry("aDisconnectedReaderNoLongerBlocksTheWriterAndIsToldSo",
                    "it reads the reader mask of samples every reader is done with: over iceoryx2 such a sample"
                            + " is dropped at once (its chunk goes back to the writer), so there is no mask to read;"
                            + " the rest of the test (writer unblocked, reader told) is in Iceoryx2BackendTest"),
            Map.entry("readerIndexesOutside0To31AreRefused",
                    TWO_TABLES + "it reads a sent sample back through readSlot(0) with no reader attached"
                            + " (the index checks themselves are in Iceoryx2BackendTest)"),
            Map.entry("withNoActiveReaderTheRingKeepsTheLastSamples",
                    "a keep-last ring without readers: iceoryx2 returns a chunk nobody subscribed to at once"
                            + " (history 0), so there is nothing to read back"));

    @Override
    protected SlotBackend create(int slots, int capacity, long initialSequence, byte[] typeHash) {
        return Iceoryx2SlotBackend.create(NAMES.next()).prefix(Iox2Names.PREFIX).slotCount(slots)
                .slotCapacity(capacity).initialSequence(initialSequence).typeHash(typeHash).build();
    }

    @Test
    void everyExceptionNamesATestOfTheSuite() {
        Set<String> suite = Arrays.stream(SlotBackendContractTest.class.getDeclaredMethods())
                .filter(m -> m.isAnnotationPresent(Test.class)).map(Method::getName).collect(Collectors.toSet());
        assertThat(suite).containsAll(EXCEPTIONS.keySet());
        assertThat(suite.size() - EXCEPTIONS.size()).as("contract tests that run").isGreaterThan(35);
    }

    /** Disables the listed tests with their reason, so the report shows each exception. */
    static final class Exceptions implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (Boolean.getBoolean("flatdata.contract.all")) {
                return ConditionEvaluationResult.enabled("all contract tests requested");
            }
            return context.getTestMethod()
                    .map(m -> EXCEPTIONS.get(m.getName()))
                    .map(reason -> ConditionEvaluationResult.disabled("iceoryx2: " + reason))
                    .orElse(ConditionEvaluationResult.enabled("contract holds"));
        }
    }
}
