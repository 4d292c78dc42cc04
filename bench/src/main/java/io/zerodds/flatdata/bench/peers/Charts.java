package io.zerodds.flatdata.bench.peers;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * The peer benchmark's charts, written as SVG directly (no plotting library): the latency
 * percentile distribution of every system on one chart (HdrHistogram's view: the x axis is
 * 1/(1-percentile) on a log scale, so 90%, 99%, 99.9% are evenly spaced; the y axis is log
 * nanoseconds), and p50 latency and throughput against sample size (log-log).
 */
final class Charts {
    private Charts() {
    }

    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
            "#e377c2", "#17becf", "#7f7f7f", "#bcbd22", "#393b79", "#637939"};
    private static final int W = 900;
    private static final int H = 520;
    private static final int LEFT = 80;
    private static final int TOP = 50;
    private static final int PLOT_W = 560;
    private static final int PLOT_H = 400;

    /** The percentile distribution of every system measured for {@code c}. */
    static String percentiles(Results results, Case c) {
        Svg svg = new Svg(W, H);
        svg.title("One-way latency by percentile, " + c.label() + " (log scales)");
        List<Results.Latency> series = new ArrayList<>();
        long max = 1;
        long min = Long.MAX_VALUE;
        for (Results.Latency l : results.latencies()) {
            if (l.c().equals(c)) {
                series.add(l);
                max = Math.max(max, l.histogram().getValueAtPercentile(99.99));
                min = Math.min(min, Math.max(1, l.histogram().getMinNonZeroValue()));
            }
        }
        double yLo = Math.floor(Math.log10(Math.max(1, min)));
        double yHi = Math.ceil(Math.log10(max));
        if (yHi <= yLo) {
            yHi = yLo + 1;
        }
        double xHi = 4; // 99.99%
        Axes axes = new Axes(LEFT, TOP, PLOT_W, PLOT_H, 0, xHi, yLo, yHi);
        String[] xLabels = {"0%", "90%", "99%", "99.9%", "99.99%"};
        for (int i = 0; i <= 4; i++) {
            svg.vline(axes.x(i), TOP, TOP + PLOT_H, xLabels[i]);
        }
        logTicks(svg, axes, yLo, yHi, "ns");
        int k = 0;
        for (Results.Latency l : series) {
            List<double[]> points = new ArrayList<>();
            for (HistogramIterationValue v : l.histogram().percentiles(5)) {
                double p = v.getPercentileLevelIteratedTo() / 100.0;
                if (p >= 0.9999) {
                    break;
                }
                double x = -Math.log10(1 - p);
                points.add(new double[] {axes.x(x), axes.y(Math.log10(Math.max(1, v.getValueIteratedTo())))});
            }
            svg.polyline(points, COLORS[k % COLORS.length]);
            svg.legend(LEFT + PLOT_W + 20, TOP + 10 + k * 20, COLORS[k % COLORS.length], l.peer());
            k++;
        }
        svg.frame(axes, "percentile", "latency (ns)");
        return svg.end();
    }

    /** p50 latency (touched) and throughput against sample size, side by side. */
    static String sizes(Results results) {
        Svg svg = new Svg(1250, 560);
        svg.title("p50 one-way latency and throughput by sample size (log-log)");
        List<String> systems = new ArrayList<>();
        for (Results.Latency l : results.latencies()) {
            if (l.c().touch() && !systems.contains(l.peer())) {
                systems.add(l.peer());
            }
        }
        for (Map<String, double[]> bySystem : results.throughput().values()) {
            for (String s : bySystem.keySet()) {
                if (!systems.contains(s)) {
                    systems.add(s);
                }
            }
        }
        double xLo = Math.log10(Sizes.SMALLEST);
        double xHi = Math.log10(Sizes.LARGEST);
        // latency panel
        double latLo = 9;
        double latHi = 0;
        for (Results.Latency l : results.latencies()) {
            if (l.c().touch()) {
                double v = Math.log10(Math.max(1, l.histogram().getValueAtPercentile(50)));
                latLo = Math.min(latLo, v);
                latHi = Math.max(latHi, v);
            }
        }
        Axes lat = new Axes(70, 60, 380, 400, xLo, xHi, Math.floor(latLo), Math.max(Math.floor(latLo) + 1, Math.ceil(latHi)));
        // throughput panel
        double thLo = 9;
        double thHi = -9;
        for (Map<String, double[]> bySystem : results.throughput().values()) {
            for (double[] v : bySystem.values()) {
                thLo = Math.min(thLo, Math.log10(v[1]));
                thHi = Math.max(thHi, Math.log10(v[1]));
            }
        }
        if (thHi < thLo) {
            thLo = -2;
            thHi = 1;
        }
        Axes th = new Axes(540, 60, 380, 400, xLo, xHi, Math.floor(thLo), Math.max(Math.floor(thLo) + 1, Math.ceil(thHi)));
        for (int size : Sizes.ALL) {
            svg.vline(lat.x(Math.log10(size)), 60, 460, Sizes.label(size));
            svg.vline(th.x(Math.log10(size)), 60, 460, Sizes.label(size));
        }
        logTicks(svg, lat, lat.yLo, lat.yHi, "ns");
        logTicks(svg, th, th.yLo, th.yHi, "GB/s");
        int k = 0;
        for (String system : systems) {
            String color = COLORS[k % COLORS.length];
            List<double[]> latPoints = new ArrayList<>();
            for (int size : Sizes.ALL) {
                Results.Latency l = results.latency(new Case(size, true), system);
                if (l != null) {
                    latPoints.add(new double[] {lat.x(Math.log10(size)),
                            lat.y(Math.log10(Math.max(1, l.histogram().getValueAtPercentile(50))))});
                }
            }
            List<double[]> thPoints = new ArrayList<>();
            for (int size : Sizes.ALL) {
                Map<String, double[]> bySystem = results.throughput().get(size);
                if (bySystem != null && bySystem.containsKey(system)) {
                    thPoints.add(new double[] {th.x(Math.log10(size)), th.y(Math.log10(bySystem.get(system)[1]))});
                }
            }
            svg.polyline(latPoints, color);
            svg.polyline(thPoints, color);
            svg.legend(950, 70 + k * 20, color, system);
            k++;
        }
        svg.frame(lat, "sample size", "p50 one-way latency (ns)");
        svg.frame(th, "sample size", "throughput (GB/s)");
        return svg.end();
    }

    private static void logTicks(Svg svg, Axes axes, double lo, double hi, String unit) {
        for (int e = (int) lo; e <= (int) hi; e++) {
            svg.hline(axes.left, axes.left + axes.width, axes.y(e), label(e, unit));
        }
    }

    private static String label(int exponent, String unit) {
        double v = Math.pow(10, exponent);
        if (unit.equals("ns")) {
            return v >= 1e9 ? fmt("%.0f s", v / 1e9) : v >= 1e6 ? fmt("%.0f ms", v / 1e6)
                    : v >= 1e3 ? fmt("%.0f µs", v / 1e3) : fmt("%.0f ns", v);
        }
        return v >= 1 ? fmt("%.0f %s", v, unit) : fmt("%s %s", Double.toString(v), unit);
    }

    private static String fmt(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }

    /** A plot area and its data ranges (x and y already on the scale plotted). */
    private static final class Axes {
        final int left;
        final int top;
        final int width;
        final int height;
        final double xLo;
        final double xHi;
        final double yLo;
        final double yHi;

        Axes(int left, int top, int width, int height, double xLo, double xHi, double yLo, double yHi) {
            this.left = left;
            this.top = top;
            this.width = width;
            this.height = height;
            this.xLo = xLo;
            this.xHi = xHi;
            this.yLo = yLo;
            this.yHi = yHi;
        }

        double x(double v) {
            return left + (v - xLo) / (xHi - xLo) * width;
        }

        double y(double v) {
            return top + height - (v - yLo) / (yHi - yLo) * height;
        }
    }

    /** The few SVG elements the charts use. */
    private static final class Svg {
        private final StringBuilder out = new StringBuilder();

        Svg(int width, int height) {
            out.append(fmt("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
                    + "font-family=\"sans-serif\" font-size=\"12\">%n", width, height, width, height));
            out.append(fmt("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        }

        void title(String text) {
            out.append(fmt("<text x=\"20\" y=\"28\" font-size=\"16\">%s</text>%n", escape(text)));
        }

        void vline(double x, double y0, double y1, String label) {
            out.append(fmt("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", x, y0, x, y1));
            out.append(fmt("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>%n", x, y1 + 16, escape(label)));
        }

        void hline(double x0, double x1, double y, String label) {
            out.append(fmt("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", x0, y, x1, y));
            out.append(fmt("<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", x0 - 6, y + 4, escape(label)));
        }

        void polyline(List<double[]> points, String color) {
            if (points.isEmpty()) {
                return;
            }
            StringBuilder p = new StringBuilder();
            for (double[] xy : points) {
                p.append(fmt("%.1f,%.1f ", xy[0], xy[1]));
            }
            out.append(fmt("<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"%s\"/>%n", color,
                    p.toString().trim()));
            if (points.size() <= 8) {
                for (double[] xy : points) {
                    out.append(fmt("<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n", xy[0], xy[1], color));
                }
            }
        }

        void legend(int x, int y, String color, String text) {
            out.append(fmt("<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"4\" fill=\"%s\"/>%n", x, y - 4, color));
            out.append(fmt("<text x=\"%d\" y=\"%d\">%s</text>%n", x + 20, y, escape(text)));
        }

        void frame(Axes a, String xTitle, String yTitle) {
            out.append(fmt("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#333\"/>%n", a.left,
                    a.top, a.width, a.height));
            out.append(fmt("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", a.left + a.width / 2,
                    a.top + a.height + 36, escape(xTitle)));
            out.append(fmt("<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 %d %d)\">%s</text>%n",
                    a.left - 58, a.top + a.height / 2, a.left - 58, a.top + a.height / 2, escape(yTitle)));
        }

        String end() {
            return out.append("</svg>\n").toString();
        }

        private static String escape(String s) {
            return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
        }
    }
}
