package io.inorder.emulator;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;

/** The workspaces and collections of the emulated organization. Thread-safe: every method holds the catalog's monitor. */
final class Catalog {

    /** A workspace; its collection map is only touched under the catalog's monitor. */
    static final class Workspace {
        final String name;
        final String description;
        final Instant createdAt;
        final Map<String, CollectionState> collections = new LinkedHashMap<>();

        Workspace(String name, String description, Instant createdAt) {
            this.name = name;
            this.description = description;
            this.createdAt = createdAt;
        }
    }

    private final Map<String, Workspace> workspaces = new LinkedHashMap<>();
    private final int partitions;
    private final Duration applyLag;
    private final ScheduledExecutorService applier;

    Catalog(int partitions, Duration applyLag, ScheduledExecutorService applier) {
        this.partitions = partitions;
        this.applyLag = applyLag;
        this.applier = applier;
    }

    synchronized Workspace createWorkspace(String name, String description, Instant now) {
        if (workspaces.containsKey(name)) {
            throw new ApiError(409, "ALREADYEXISTS", null, "Workspace \"" + name + "\" already exists");
        }
        Workspace workspace = new Workspace(name, description, now);
        workspaces.put(name, workspace);
        return workspace;
    }

    synchronized Workspace workspace(String name) {
        Workspace workspace = workspaces.get(name);
        if (workspace == null) {
            throw ApiError.workspaceNotFound(name);
        }
        return workspace;
    }

    synchronized boolean hasWorkspace(String name) {
        return workspaces.containsKey(name);
    }

    synchronized int collectionCount(Workspace workspace) {
        return workspace.collections.size();
    }

    synchronized List<Workspace> workspaces() {
        return List.copyOf(workspaces.values());
    }

    synchronized Workspace deleteWorkspace(String name) {
        Workspace workspace = workspace(name);
        if (!workspace.collections.isEmpty()) {
            throw new ApiError(409, "DEPENDENTRESOURCES", null, "Workspace \"" + name + "\" still has "
                    + workspace.collections.size() + " collection(s); delete them first");
        }
        workspaces.remove(name);
        return workspace;
    }

    /** Creates a collection at {@code now} that accepts writes from {@code readyAt} on (CREATED until then). */
    synchronized CollectionState createCollection(String workspaceName, String name, Instant now, Instant readyAt) {
        Workspace workspace = workspace(workspaceName);
        if (workspace.collections.containsKey(name)) {
            throw new ApiError(409, "ALREADYEXISTS", null,
                    "Collection \"" + name + "\" already exists in workspace \"" + workspaceName + "\"");
        }
        CollectionState collection = new CollectionState(workspaceName, name, now, readyAt, partitions, applyLag,
                applier);
        workspace.collections.put(name, collection);
        return collection;
    }

    /** The collection, or 404 {@code COLLECTION_DOES_NOT_EXIST} (also when the workspace is missing, as writes see it). */
    synchronized CollectionState collection(String workspaceName, String name) {
        Workspace workspace = workspaces.get(workspaceName);
        CollectionState collection = workspace == null ? null : workspace.collections.get(name);
        if (collection == null) {
            throw ApiError.collectionNotFound(workspaceName, name);
        }
        return collection;
    }

    synchronized List<CollectionState> collections(String workspaceName) {
        return List.copyOf(workspace(workspaceName).collections.values());
    }

    synchronized List<CollectionState> allCollections() {
        List<CollectionState> all = new ArrayList<>();
        workspaces.values().forEach(workspace -> all.addAll(workspace.collections.values()));
        return all;
    }

    synchronized CollectionState deleteCollection(String workspaceName, String name) {
        CollectionState collection = collection(workspaceName, name);
        workspaces.get(workspaceName).collections.remove(name);
        return collection;
    }
}
