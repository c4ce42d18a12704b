package dev.jerex.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Generators for {@link SeededCases}: strings drawn from classes of UTF-16 characters (a class is
 * picked uniformly, then a character uniformly inside it, so small classes such as "Unicode
 * spaces" are as frequent as CJK), choices and lists. Lengths and sizes are uniform from 0 to the
 * maximum, so the empty string and the empty list come up too.
 */
public final class RandomText {

    /** One class of characters. */
    @FunctionalInterface
    public interface CharClass {
        char draw(Random random);
    }

    /** Any UTF-16 unit, surrogates (paired by chance or not), controls and noncharacters included. */
    public static final CharClass ANY = range(0x0000, 0xFFFF);

    private RandomText() {}

    /** The units {@code first..last}, both included. */
    public static CharClass range(int first, int last) {
        return random -> (char) (first + random.nextInt(last - first + 1));
    }

    /** One of the characters of {@code chars}. */
    public static CharClass anyOf(String chars) {
        return random -> chars.charAt(random.nextInt(chars.length()));
    }

    /** 0..maxLength characters, each from a class picked uniformly among {@code classes}. */
    public static String chars(Random random, int maxLength, CharClass... classes) {
        int length = random.nextInt(maxLength + 1);
        StringBuilder text = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            text.append(classes[random.nextInt(classes.length)].draw(random));
        }
        return text.toString();
    }

    /** 0..maxLength arbitrary UTF-16 units. */
    public static String anyChars(Random random, int maxLength) {
        return chars(random, maxLength, ANY);
    }

    @SafeVarargs
    public static <T> T oneOf(Random random, T... options) {
        return options[random.nextInt(options.length)];
    }

    /** 0..maxSize elements, each from {@code element}. */
    public static <T> List<T> listOf(Random random, int maxSize, Function<Random, T> element) {
        int size = random.nextInt(maxSize + 1);
        List<T> list = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            list.add(element.apply(random));
        }
        return list;
    }

    /** A uniform integer in {@code min..max}, both included. */
    public static int between(Random random, int min, int max) {
        return min + random.nextInt(max - min + 1);
    }
}
