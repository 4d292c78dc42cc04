# Sourced by ./flatdata and .ci/run: points JAVA_HOME at a JDK 25 or newer, or fails clearly.
java_major() {
    # prints the major version of the JDK at $1, or nothing
    [ -x "$1/bin/java" ] || return 0
    if [ -f "$1/release" ]; then
        sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release"
    else
        "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'
    fi
}

find_jdk25() {
    local candidate major
    for candidate in "${JAVA_HOME:-}" "$(dirname "$(dirname "$(readlink -f "$(command -v java 2>/dev/null || echo /nonexistent)")")")" /usr/lib/jvm/* /opt/java/* /opt/jdk*; do
        [ -n "$candidate" ] && [ -d "$candidate" ] || continue
        major=$(java_major "$candidate")
        if [ -n "$major" ] && [ "$major" -ge 25 ] && [ -x "$candidate/bin/javac" ]; then
            echo "$candidate"
            return 0
        fi
    done
    return 1
}

if ! JAVA_HOME=$(find_jdk25); then
    echo "flatdata needs a JDK 25 or newer: set JAVA_HOME to one (none found in JAVA_HOME, on PATH or under /usr/lib/jvm)" >&2
    exit 1
fi
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
# Maven's own libraries touch sun.misc.Unsafe; keep JDK 25 from warning about it on every build.
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
