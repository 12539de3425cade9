package io.agentstacks.imagerecipes;

import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.representer.Representer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The awstoe component documents of {@code image-recipes/components}. A document names the script
 * files it installs as {@code "@file:<path under image-recipes>"}; rendering inlines them, so the
 * scripts stay files that tests can run while the components Image Builder receives are self-contained.
 */
public final class ComponentDocuments {

    /** Image Builder's limit on an inline component document ({@code AWS::ImageBuilder::Component.Data}). */
    public static final int MAX_INLINE_DOCUMENT_CHARS = 16_000;

    static final String FILE_MARKER = "@file:";

    private final Path recipesDir;

    public ComponentDocuments(Path recipesDir) {
        this.recipesDir = recipesDir.toAbsolutePath().normalize();
    }

    /** The document's source file for a reference such as {@code linux/docker}. */
    public Path source(String reference) {
        return recipesDir.resolve("components").resolve(reference + ".yml");
    }

    /** The source document as written in the repository, parsed. */
    public Map<String, Object> parse(String reference) {
        return load(read(source(reference)));
    }

    /** The document Image Builder receives: every {@code @file:} marker replaced by the file's content. */
    public String render(String reference) {
        Object inlined = inline(parse(reference), reference);
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndent(2);
        options.setIndicatorIndent(0);
        options.setWidth(200);
        Representer representer = new Representer(options) {
            {
                // Scripts keep their lines: literal blocks for every multi-line string.
                this.representers.put(String.class, data -> {
                    String s = (String) data;
                    DumperOptions.ScalarStyle style = s.contains("\n") ? DumperOptions.ScalarStyle.LITERAL : null;
                    return style == null ? representScalar(org.yaml.snakeyaml.nodes.Tag.STR, s)
                            : representScalar(org.yaml.snakeyaml.nodes.Tag.STR, s, style);
                });
            }
        };
        return new Yaml(representer, options).dump(inlined);
    }

    /** The names of the parameters the document declares, in order. */
    public List<String> declaredParameters(String reference) {
        Object parameters = parse(reference).get("parameters");
        List<String> names = new ArrayList<>();
        if (parameters instanceof List<?> list) {
            for (Object entry : list) {
                if (entry instanceof Map<?, ?> map) {
                    map.keySet().forEach(k -> names.add(String.valueOf(k)));
                }
            }
        }
        return names;
    }

    /** Every file the document inlines, as paths under image-recipes. */
    public Set<String> referencedFiles(String reference) {
        Set<String> files = new TreeSet<>();
        collectFiles(parse(reference), files);
        return files;
    }

    private Object inline(Object node, String reference) {
        if (node instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(String.valueOf(k), inline(v, reference)));
            return copy;
        }
        if (node instanceof List<?> list) {
            return list.stream().map(v -> inline(v, reference)).toList();
        }
        if (node instanceof String s && s.startsWith(FILE_MARKER)) {
            Path file = recipesDir.resolve(s.substring(FILE_MARKER.length())).normalize();
            if (!file.startsWith(recipesDir) || !Files.isRegularFile(file)) {
                throw new IllegalArgumentException("component " + reference + " names " + s + ", which is not a file under " + recipesDir);
            }
            return read(file);
        }
        return node;
    }

    private static void collectFiles(Object node, Set<String> files) {
        if (node instanceof Map<?, ?> map) {
            map.values().forEach(v -> collectFiles(v, files));
        } else if (node instanceof List<?> list) {
            list.forEach(v -> collectFiles(v, files));
        } else if (node instanceof String s && s.startsWith(FILE_MARKER)) {
            files.add(s.substring(FILE_MARKER.length()));
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> load(String yaml) {
        Object document = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
        if (!(document instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("a component document is a YAML mapping");
        }
        return (Map<String, Object>) document;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
