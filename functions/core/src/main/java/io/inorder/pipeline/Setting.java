package io.inorder.pipeline;

/**
 * One environment variable the functions read: its name, its default ({@code null} when required or optional without
 * one) and a one-line description. The README's configuration table is checked against the full list, so the docs
 * cannot drift from the code.
 */
public record Setting(String name, String defaultValue, String description) { }
