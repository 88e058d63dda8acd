package io.inorder.pipeline;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Map;

/**
 * Which Write API hosts may be reached over plain {@code http://}: the API key travels in every request, so only a
 * host that cannot leave the machine qualifies. The decision is made on the text of the URL alone, never by resolving
 * a name: {@code 127.attacker.example} is a name anyone can point anywhere, while {@code 127.0.0.1} is an address.
 */
final class PlainHttpHosts {

    /** SAM CLI sets this in the containers of {@code sam local invoke}; Lambda itself never does. */
    static final String SAM_LOCAL = "AWS_SAM_LOCAL";

    /** Docker's name for the host machine, the only way {@code sam local invoke} reaches the local stack. */
    private static final String DOCKER_HOST = "host.docker.internal";

    private PlainHttpHosts() {
    }

    /**
     * Whether {@code host} (as {@link java.net.URI#getHost()} gives it, IPv6 in brackets) is {@code localhost}, an IPv4
     * address in 127.0.0.0/8, the IPv6 loopback, or, inside {@code sam local invoke} only, Docker's host name.
     */
    static boolean allows(String host, Map<String, String> env) {
        if (host == null || host.isEmpty()) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.equals("localhost")) {
            return true;
        }
        if (h.equals(DOCKER_HOST)) {
            return "true".equalsIgnoreCase(env.getOrDefault(SAM_LOCAL, ""));
        }
        if (h.startsWith("[") && h.endsWith("]")) {
            return ipv6Loopback(h.substring(1, h.length() - 1));
        }
        return ipv4Loopback(h);
    }

    /** Four decimal octets without leading zeros (which some resolvers read as octal), the first one 127. */
    private static boolean ipv4Loopback(String h) {
        String[] octets = h.split("\\.", -1);
        if (octets.length != 4) {
            return false;
        }
        for (String o : octets) {
            if (o.isEmpty() || o.length() > 3 || !o.chars().allMatch(c -> c >= '0' && c <= '9')
                    || (o.length() > 1 && o.charAt(0) == '0') || Integer.parseInt(o) > 255) {
                return false;
            }
        }
        return octets[0].equals("127");
    }

    private static boolean ipv6Loopback(String literal) {
        // Only hex digits, colons and dots (an embedded IPv4 tail): InetAddress then parses a literal and never
        // looks a name up.
        if (literal.isEmpty() || !literal.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')
                || literal.indexOf(':') < 0) {
            return false;
        }
        try {
            return InetAddress.getByName(literal).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
