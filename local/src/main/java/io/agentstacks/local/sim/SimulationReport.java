package io.agentstacks.local.sim;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Locale;

/** Results as a table for people or JSON for programs (seconds, USD). */
public final class SimulationReport {

    private static final String[] COLUMNS = {"policy", "jobs", "waitP50", "waitP95", "waitMax", "instanceSeconds",
            "warmPoolSeconds", "costUsd", "scalingCalls", "reactionP99"};

    private SimulationReport() {
    }

    public static ObjectNode json(List<SimulationResult> results) {
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        ArrayNode a = root.putArray("results");
        for (SimulationResult r : results) {
            ObjectNode o = a.addObject();
            o.put("policy", r.policy());
            o.put("jobs", r.jobs());
            o.put("waitP50", round(r.waitP50(), 1));
            o.put("waitP95", round(r.waitP95(), 1));
            o.put("waitMax", round(r.waitMax(), 1));
            o.put("instanceSeconds", Math.round(r.instanceSeconds()));
            o.put("warmPoolSeconds", Math.round(r.warmPoolSeconds()));
            o.put("costUsd", round(r.costUsd(), 2));
            o.put("scalingCalls", r.scalingCalls());
            o.put("reactionP99", round(r.reactionP99(), 2));
        }
        return root;
    }

    public static String table(List<SimulationResult> results) {
        String[][] rows = new String[results.size() + 1][];
        rows[0] = COLUMNS;
        for (int i = 0; i < results.size(); i++) {
            SimulationResult r = results.get(i);
            rows[i + 1] = new String[] {r.policy(), Integer.toString(r.jobs()), f1(r.waitP50()), f1(r.waitP95()),
                    f1(r.waitMax()), Long.toString(Math.round(r.instanceSeconds())),
                    Long.toString(Math.round(r.warmPoolSeconds())), String.format(Locale.ROOT, "%.2f", r.costUsd()),
                    Integer.toString(r.scalingCalls()), String.format(Locale.ROOT, "%.2f", r.reactionP99())};
        }
        int[] width = new int[COLUMNS.length];
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] row : rows) {
            for (int c = 0; c < row.length; c++) {
                String cell = row[c];
                if (c == 0) {
                    sb.append(cell).append(" ".repeat(width[c] - cell.length()));
                } else {
                    sb.append("  ").append(" ".repeat(width[c] - cell.length())).append(cell);
                }
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static String f1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static double round(double v, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(v * scale) / scale;
    }
}
