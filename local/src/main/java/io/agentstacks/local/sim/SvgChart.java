package io.agentstacks.local.sim;

import java.util.List;
import java.util.Locale;
import java.util.function.ToIntFunction;

/**
 * A plain SVG chart of runs: one panel per run, with queued jobs, desired capacity and registered agents
 * over time, one line each.
 */
public final class SvgChart {

    private static final int WIDTH = 960;
    private static final int PANEL = 220;
    private static final int LEFT = 56;
    private static final int RIGHT = 16;
    private static final int TOP = 34;
    private static final int BOTTOM = 34;

    private record Series(String name, String color, ToIntFunction<SimulationResult.Sample> value) {
    }

    private static final List<Series> SERIES = List.of(
            new Series("queued jobs", "#d62728", SimulationResult.Sample::queued),
            new Series("desired capacity", "#1f77b4", SimulationResult.Sample::desired),
            new Series("agents", "#2ca02c", SimulationResult.Sample::agents));

    private SvgChart() {
    }

    public static String render(List<SimulationResult> results) {
        int height = results.size() * (PANEL + TOP + BOTTOM) + 8;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">%n", WIDTH, height, WIDTH, height));
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, height));
        int y0 = 0;
        for (SimulationResult r : results) {
            panel(s, r, y0);
            y0 += PANEL + TOP + BOTTOM;
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static void panel(StringBuilder s, SimulationResult r, int y0) {
        List<SimulationResult.Sample> samples = r.samples();
        long maxT = Math.max(1, samples.isEmpty() ? 1 : samples.get(samples.size() - 1).second());
        int maxY = 1;
        for (SimulationResult.Sample p : samples) {
            for (Series se : SERIES) {
                maxY = Math.max(maxY, se.value().applyAsInt(p));
            }
        }
        int plotW = WIDTH - LEFT - RIGHT;
        int top = y0 + TOP;
        int bottom = top + PANEL;
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"13\" font-weight=\"bold\">%s — %s</text>%n",
                LEFT, y0 + 18, esc(r.policy()), esc(r.trace())));
        int lx = LEFT + 260;
        for (Series se : SERIES) {
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>%n", lx, y0 + 14, lx + 18, y0 + 14, se.color(), lx + 22, y0 + 18,
                    esc(se.name())));
            lx += 150;
        }
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#999\"/>%n",
                LEFT, top, plotW, PANEL));
        int yStep = niceStep(maxY);
        for (int v = 0; v <= maxY; v += yStep) {
            double y = bottom - (double) v / maxY * PANEL;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#eee\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%d</text>%n", LEFT, y, LEFT + plotW, y, LEFT - 6, y + 4, v));
        }
        double hours = maxT / 3600.0;
        int hStep = Math.max(1, (int) Math.ceil(hours / 12));
        for (int h = 0; h <= hours; h += hStep) {
            double x = LEFT + h * 3600.0 / maxT * plotW;
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%dh</text>%n", x,
                    bottom + 14, h));
        }
        for (Series se : SERIES) {
            StringBuilder points = new StringBuilder();
            for (SimulationResult.Sample p : samples) {
                double x = LEFT + (double) p.second() / maxT * plotW;
                double y = bottom - (double) se.value().applyAsInt(p) / maxY * PANEL;
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            }
            s.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.2\" points=\"%s\"/>%n",
                    se.color(), points.toString().strip()));
        }
    }

    private static int niceStep(int max) {
        for (int step : new int[] {1, 2, 5, 10, 20, 50, 100, 200, 500}) {
            if (max / step <= 8) {
                return step;
            }
        }
        return 1000;
    }

    private static String esc(String t) {
        return t.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
