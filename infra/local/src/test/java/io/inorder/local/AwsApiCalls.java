package io.inorder.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * The AWS API actions a deployed function can call, read from the bytecode of its deployment jar: every AWS SDK
 * client call reachable from the handler, mapped to the IAM action it needs. Nothing is declared by hand, so the list
 * cannot fall behind the code: a new {@code dynamoDb.batchGetItem(...)} anywhere on a handler's paths shows up here,
 * and the template contract test then asks the template to grant it.
 *
 * <p>Reachability is per method, over the project's own classes ({@code io/inorder/}): from the handler's
 * constructor, its {@code handleRequest} methods and static initializers it follows direct calls, virtual and
 * interface calls to every override in the jar (class-hierarchy analysis), lambda and method-reference bodies, and,
 * for each class the code instantiates, the methods a library may call back (those overriding a JDK or library
 * type's method, e.g. {@code Runnable.run}, CRaC's {@code beforeCheckpoint}). It over-approximates (a call on a path
 * never taken at run time still counts) and never under-approximates within the project's classes; reflection is not
 * followed (the functions use none on paths that call AWS).
 *
 * <p>An SDK call is an invocation of a method of a service client interface ({@code software/amazon/awssdk/services/
 * <service>/<Name>Client}); DynamoDB transactions are mapped through their items ({@code TransactWriteItem.builder()
 * .put(...)} needs {@code dynamodb:PutItem}), because IAM has no action for the transaction itself. The IAM action is
 * the operation's name ({@code getItem} → {@code dynamodb:GetItem}, a paginator → its operation) except where IAM
 * names it otherwise ({@link #RENAMED}); an SDK method this class cannot map fails the analysis naming it, so an
 * unmapped call never passes silently.
 */
final class AwsApiCalls {

    private static final String OWN = "io/inorder/";
    private static final String SERVICES = "software/amazon/awssdk/services/";

    /** SDK operations whose IAM action is not their own name (IAM service authorization reference). */
    private static final Map<String, List<String>> RENAMED = Map.ofEntries(
            Map.entry("s3:listObjectsV2", List.of("s3:ListBucket")),
            Map.entry("s3:listObjects", List.of("s3:ListBucket")),
            Map.entry("s3:headObject", List.of("s3:GetObject")),
            Map.entry("s3:headBucket", List.of("s3:ListBucket")),
            Map.entry("s3:getObjectAsBytes", List.of("s3:GetObject")),
            Map.entry("s3:deleteObjects", List.of("s3:DeleteObject")),
            Map.entry("s3:copyObject", List.of("s3:GetObject", "s3:PutObject")),
            Map.entry("lambda:invoke", List.of("lambda:InvokeFunction")),
            // Transactions are authorized item by item (DynamoDB guide, "Using IAM with DynamoDB transactions").
            Map.entry("dynamodb:transactWriteItems", List.of()),
            Map.entry("dynamodb:transactGetItems", List.of()),
            Map.entry("dynamodb:TransactWriteItem.put", List.of("dynamodb:PutItem")),
            Map.entry("dynamodb:TransactWriteItem.update", List.of("dynamodb:UpdateItem")),
            Map.entry("dynamodb:TransactWriteItem.delete", List.of("dynamodb:DeleteItem")),
            Map.entry("dynamodb:TransactWriteItem.conditionCheck", List.of("dynamodb:ConditionCheckItem")),
            Map.entry("dynamodb:TransactGetItem.get", List.of("dynamodb:GetItem")));

    /** Client methods that make no request. */
    private static final Set<String> LOCAL = Set.of("builder", "create", "close", "serviceName",
            "serviceClientConfiguration", "utilities");

    /** SDK model builders whose calls name an authorized operation (the transaction items). */
    private static final Set<String> ITEM_BUILDERS = Set.of("dynamodb/model/TransactWriteItem$Builder",
            "dynamodb/model/TransactGetItem$Builder");

    private record MethodKey(String owner, String name, String desc) {
        @Override
        public String toString() {
            return owner.replace('/', '.') + "." + name;
        }
    }

    private record Call(int opcode, String owner, String name, String desc) { }

    private static final class MethodInfo {
        final int access;
        final List<Call> calls = new ArrayList<>();
        final List<Handle> handles = new ArrayList<>();
        final Set<String> instantiated = new HashSet<>();
        final Set<String> touched = new HashSet<>();

        MethodInfo(int access) {
            this.access = access;
        }
    }

    private static final class ClassInfo {
        String name;
        String superName;
        String[] interfaces = new String[0];
        final Map<String, MethodInfo> methods = new HashMap<>();
    }

    private final Map<String, ClassInfo> own = new HashMap<>();
    private final Map<String, Optional<ClassInfo>> library = new HashMap<>();
    private final JarFile jar;

    private AwsApiCalls(JarFile jar) {
        this.jar = jar;
    }

    /**
     * The IAM actions the handler in {@code jar} can call, each with the methods that call it (for messages).
     *
     * @throws IllegalStateException naming an SDK method whose IAM action is unknown here
     */
    static Map<String, Set<String>> of(Path jarPath, String handlerClass) {
        try (JarFile file = new JarFile(jarPath.toFile())) {
            AwsApiCalls a = new AwsApiCalls(file);
            for (var e = file.entries(); e.hasMoreElements(); ) {
                JarEntry entry = e.nextElement();
                if (entry.getName().startsWith(OWN) && entry.getName().endsWith(".class")) {
                    ClassInfo c = a.read(file.getInputStream(entry));
                    a.own.put(c.name, c);
                }
            }
            return a.reach(handlerClass.replace('.', '/'));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Map<String, Set<String>> reach(String handler) {
        if (!own.containsKey(handler)) {
            throw new IllegalStateException(handler + " is not in the jar");
        }
        Map<String, Set<String>> actions = new TreeMap<>();
        Set<MethodKey> seen = new HashSet<>();
        Set<String> instantiated = new HashSet<>();
        Deque<MethodKey> work = new ArrayDeque<>();
        for (String m : own.get(handler).methods.keySet()) {
            if (m.startsWith("<init>") || m.startsWith("<clinit>") || m.startsWith("handleRequest(")) {
                work.add(key(handler, m));
            }
        }
        instantiate(handler, instantiated, work);
        while (!work.isEmpty()) {
            MethodKey k = work.poll();
            if (!seen.add(k)) {
                continue;
            }
            MethodInfo m = own.get(k.owner()).methods.get(k.name() + k.desc());
            if (m == null) {
                continue;
            }
            for (Call c : m.calls) {
                if (c.owner().startsWith(SERVICES)) {
                    sdkCall(c).forEach(a -> actions.computeIfAbsent(a, x -> new TreeSet<>()).add(k.toString()));
                } else if (own.containsKey(c.owner())) {
                    dispatch(c.opcode(), c.owner(), c.name(), c.desc(), work);
                }
            }
            for (Handle h : m.handles) {
                if (own.containsKey(h.getOwner())) {
                    int op = h.getTag() == Opcodes.H_INVOKESTATIC ? Opcodes.INVOKESTATIC
                            : h.getTag() == Opcodes.H_INVOKESPECIAL || h.getTag() == Opcodes.H_NEWINVOKESPECIAL
                                    ? Opcodes.INVOKESPECIAL : Opcodes.INVOKEVIRTUAL;
                    dispatch(op, h.getOwner(), h.getName(), h.getDesc(), work);
                    if (h.getTag() == Opcodes.H_NEWINVOKESPECIAL) {
                        instantiate(h.getOwner(), instantiated, work);
                    }
                }
            }
            for (String t : m.touched) {
                if (own.containsKey(t)) {
                    own.get(t).methods.keySet().stream().filter(x -> x.startsWith("<clinit>"))
                            .forEach(x -> work.add(key(t, x)));
                }
            }
            for (String t : m.instantiated) {
                instantiate(t, instantiated, work);
            }
        }
        return actions;
    }

    /** The methods a call may run: the declaration it resolves to and, when virtual, every override below it. */
    private void dispatch(int opcode, String owner, String name, String desc, Deque<MethodKey> work) {
        String nd = name + desc;
        for (String c = owner; c != null && own.containsKey(c); c = own.get(c).superName) {
            if (own.get(c).methods.containsKey(nd)) {
                work.add(key(c, nd));
                break;
            }
        }
        // Default methods of the project's interfaces.
        for (String i : supertypes(owner)) {
            if (own.containsKey(i) && own.get(i).methods.containsKey(nd)) {
                work.add(key(i, nd));
            }
        }
        if (opcode == Opcodes.INVOKEVIRTUAL || opcode == Opcodes.INVOKEINTERFACE) {
            for (ClassInfo c : own.values()) {
                if (c.methods.containsKey(nd) && supertypes(c.name).contains(owner)) {
                    work.add(key(c.name, nd));
                }
            }
        }
    }

    /** A class the code creates: its static initializer runs, and libraries may call what it overrides of theirs. */
    private void instantiate(String type, Set<String> instantiated, Deque<MethodKey> work) {
        if (!own.containsKey(type) || !instantiated.add(type)) {
            return;
        }
        Set<String> libraryMethods = new HashSet<>();
        for (String s : supertypes(type)) {
            if (!own.containsKey(s)) {
                libraryClass(s).ifPresent(c -> libraryMethods.addAll(c.methods.keySet()));
            }
        }
        libraryMethods.add("toString()Ljava/lang/String;");
        libraryMethods.add("hashCode()I");
        libraryMethods.add("equals(Ljava/lang/Object;)Z");
        for (var e : own.get(type).methods.entrySet()) {
            if (e.getKey().startsWith("<clinit>") || libraryMethods.contains(e.getKey())
                    && (e.getValue().access & Opcodes.ACC_STATIC) == 0) {
                work.add(key(type, e.getKey()));
            }
        }
    }

    /** Every supertype of {@code type}, transitively, the project's and the libraries' (as far as they load). */
    private Set<String> supertypes(String type) {
        Set<String> out = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(type));
        while (!todo.isEmpty()) {
            String t = todo.poll();
            Optional<ClassInfo> c = own.containsKey(t) ? Optional.of(own.get(t)) : libraryClass(t);
            if (c.isEmpty()) {
                continue;
            }
            if (c.get().superName != null && out.add(c.get().superName)) {
                todo.add(c.get().superName);
            }
            for (String i : c.get().interfaces) {
                if (out.add(i)) {
                    todo.add(i);
                }
            }
        }
        return out;
    }

    /** A library or JDK class, from the jar (shaded libraries) or the running JDK; empty when neither has it. */
    private Optional<ClassInfo> libraryClass(String name) {
        return library.computeIfAbsent(name, n -> {
            try {
                JarEntry entry = jar.getJarEntry(n + ".class");
                InputStream in = entry != null ? jar.getInputStream(entry)
                        : ClassLoader.getSystemResourceAsStream(n + ".class");
                if (in == null) {
                    return Optional.empty();
                }
                try (in) {
                    byte[] bytes = in.readAllBytes();
                    // Only method names and descriptors are read from a library class: a JDK newer than this ASM
                    // knows still has them where ASM looks, so its version is capped rather than refused.
                    int major = ((bytes[6] & 0xff) << 8) | (bytes[7] & 0xff);
                    if (major > Opcodes.V21) {
                        bytes[6] = 0;
                        bytes[7] = (byte) Opcodes.V21;
                    }
                    return Optional.of(read(new java.io.ByteArrayInputStream(bytes)));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** The IAM actions one SDK call needs. */
    static List<String> sdkCall(Call c) {
        String rest = c.owner().substring(SERVICES.length());
        int slash = rest.indexOf('/');
        if (slash < 0) {
            return List.of();
        }
        String service = rest.substring(0, slash);
        String type = rest.substring(slash + 1);
        if (ITEM_BUILDERS.contains(rest)) {
            String item = type.substring(type.lastIndexOf('/') + 1, type.indexOf('$'));
            List<String> mapped = RENAMED.get(service + ":" + item + "." + c.name());
            return mapped == null ? List.of() : mapped;
        }
        if (type.contains("/") || !type.endsWith("Client") || LOCAL.contains(c.name())) {
            return List.of();
        }
        String operation = c.name().endsWith("Paginator")
                ? c.name().substring(0, c.name().length() - "Paginator".length()) : c.name();
        List<String> renamed = RENAMED.get(service + ":" + operation);
        if (renamed != null) {
            return renamed;
        }
        if (operation.equals("waiter")) {
            throw new IllegalStateException(c.owner() + "." + c.name() + ": its IAM actions are not mapped in "
                    + AwsApiCalls.class.getSimpleName() + ".RENAMED; add them (IAM service authorization reference)");
        }
        return List.of(service + ":" + operation.substring(0, 1).toUpperCase(Locale.ROOT) + operation.substring(1));
    }

    private static MethodKey key(String owner, String nameDesc) {
        int paren = nameDesc.indexOf('(');
        return new MethodKey(owner, nameDesc.substring(0, paren), nameDesc.substring(paren));
    }

    private ClassInfo read(InputStream in) throws IOException {
        ClassInfo c = new ClassInfo();
        new ClassReader(in).accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public void visit(int version, int access, String name, String signature, String superName,
                    String[] interfaces) {
                c.name = name;
                c.superName = superName;
                c.interfaces = interfaces == null ? new String[0] : interfaces;
            }

            @Override
            public FieldVisitor visitField(int access, String name, String descriptor, String signature,
                    Object value) {
                return null;
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature,
                    String[] exceptions) {
                MethodInfo m = new MethodInfo(access);
                c.methods.put(name + descriptor, m);
                return new MethodVisitor(Opcodes.ASM9) {
                    @Override
                    public void visitMethodInsn(int opcode, String owner, String mName, String mDesc,
                            boolean isInterface) {
                        m.calls.add(new Call(opcode, owner, mName, mDesc));
                        if (opcode == Opcodes.INVOKESTATIC) {
                            m.touched.add(owner);
                        }
                    }

                    @Override
                    public void visitTypeInsn(int opcode, String type) {
                        if (opcode == Opcodes.NEW) {
                            m.instantiated.add(type);
                        }
                    }

                    @Override
                    public void visitFieldInsn(int opcode, String owner, String fName, String fDesc) {
                        if (opcode == Opcodes.GETSTATIC || opcode == Opcodes.PUTSTATIC) {
                            m.touched.add(owner);
                        }
                    }

                    @Override
                    public void visitInvokeDynamicInsn(String iName, String iDesc, Handle bsm, Object... args) {
                        for (Object a : args) {
                            if (a instanceof Handle h) {
                                m.handles.add(h);
                            }
                        }
                    }

                    @Override
                    public void visitLdcInsn(Object value) {
                        if (value instanceof Handle h) {
                            m.handles.add(h);
                        } else if (value instanceof Type t && t.getSort() == Type.OBJECT) {
                            m.touched.add(t.getInternalName());
                        }
                    }
                };
            }
        }, ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return c;
    }
}
