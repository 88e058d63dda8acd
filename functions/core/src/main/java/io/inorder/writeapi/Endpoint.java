package io.inorder.writeapi;

/** The three document endpoints of one collection (rockset-write-api.md §2): same path, different method. */
enum Endpoint {
    ADD("POST"),
    PATCH("PATCH"),
    DELETE("DELETE");

    final String method;

    Endpoint(String method) {
        this.method = method;
    }
}
