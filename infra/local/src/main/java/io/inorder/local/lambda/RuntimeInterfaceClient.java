package io.inorder.local.lambda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The runtime side of a local execution environment, laid out as Lambda's managed Java runtime lays out
 * {@code /var/runtime/lib}: the runtime interface client ({@code com.amazonaws:aws-lambda-java-runtime-interface-client})
 * with the jars it needs (aws-lambda-java-core, aws-lambda-java-serialization, the SDK's utils-lite), taken from this
 * JVM's class path, and its JNI library unpacked once to a private file.
 *
 * <p>The JNI library is passed with the system property the managed runtime sets
 * ({@code ...NativeClient.JNI}): left to itself, the client unpacks it to the fixed path
 * {@code /tmp/.libaws-lambda-jni.so}, which concurrent JVMs on one machine overwrite under each other.
 */
final class RuntimeInterfaceClient {

    /** The client's entry point: {@code main(handler)}. */
    static final String ENTRY_POINT = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda";
    /** Where org.crac finds the CRaC implementation: the client's own context, which its SnapStart flow drives. */
    static final String CRAC_COMPAT = "com.amazonaws.services.lambda.crac";
    static final String JNI_PROPERTY = "com.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI";

    /** One class from each jar of the runtime class path. */
    private static final List<String> RUNTIME_CLASSES = List.of(ENTRY_POINT,
            "com.amazonaws.services.lambda.runtime.Context",
            "com.amazonaws.services.lambda.runtime.serialization.PojoSerializer",
            "software.amazon.awssdk.utilslite.SdkInternalThreadLocal");

    private final List<Path> classPath;
    private final Path jniLibrary;

    private RuntimeInterfaceClient(List<Path> classPath, Path jniLibrary) {
        this.classPath = List.copyOf(classPath);
        this.jniLibrary = jniLibrary;
    }

    /** Finds the jars on this JVM's class path and unpacks the JNI library for this machine into {@code dir}. */
    static RuntimeInterfaceClient locate(Path dir) {
        Set<Path> jars = new LinkedHashSet<>();
        for (String type : RUNTIME_CLASSES) {
            jars.add(jarOf(type));
        }
        String arch = System.getProperty("os.arch");
        String library = switch (arch) {
            case "amd64", "x86_64" -> "libaws-lambda-jni.linux-x86_64.so";
            case "aarch64", "arm64" -> "libaws-lambda-jni.linux-aarch_64.so";
            default -> throw new IllegalStateException("the Lambda runtime interface client has no JNI library for "
                    + System.getProperty("os.name") + "/" + arch + " (it supports Linux x86_64 and aarch64)");
        };
        if (!System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            throw new IllegalStateException("the local Lambda runtime needs Linux: the runtime interface client's "
                    + "JNI library is built for Linux only (this is " + System.getProperty("os.name") + ")");
        }
        Path target = dir.resolve(library);
        try (InputStream in = RuntimeInterfaceClient.class.getClassLoader()
                .getResourceAsStream("jni/" + library)) {
            if (in == null) {
                throw new IllegalStateException("jni/" + library + " is missing from the runtime interface client jar");
            }
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new RuntimeInterfaceClient(new ArrayList<>(jars), target);
    }

    private static Path jarOf(String type) {
        URL url = RuntimeInterfaceClient.class.getClassLoader().getResource(type.replace('.', '/') + ".class");
        if (url == null) {
            throw new IllegalStateException(type + " is not on the class path: infra/local depends on "
                    + "com.amazonaws:aws-lambda-java-runtime-interface-client");
        }
        String s = url.toString();
        if (!s.startsWith("jar:file:")) {
            throw new IllegalStateException(type + " does not come from a jar (" + s + ")");
        }
        try {
            return Path.of(new java.net.URI(s.substring(4, s.indexOf("!/"))));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The runtime's class path, in the order Lambda lists it. */
    List<Path> classPath() {
        return classPath;
    }

    /**
     * The JVM options of Lambda's managed Java runtime, as far as they matter here (C1 only, serial GC, the CRaC
     * bridge to the client's context, IPv4, the JNI library) with a heap sized from the function's memory.
     */
    List<String> jvmOptions(int memoryMb) {
        return List.of("-XX:MaxHeapSize=" + (memoryMb * 85 / 100) + "m", "-XX:+UseSerialGC",
                "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "--add-opens=java.base/java.io=ALL-UNNAMED",
                "-Dorg.crac.Core.Compat=" + CRAC_COMPAT, "-Djava.net.preferIPv4Stack=true", "-XX:+ErrorFileToStderr",
                "-D" + JNI_PROPERTY + "=" + jniLibrary);
    }
}
