package io.resplit.server;

import io.resplit.route.ReadYourWrites;

/**
 * Connection-scoped state that a single Redis would keep per client and the proxy must therefore keep itself,
 * since backend connections are shared: authentication, selected database, protocol, name, library info, and
 * the read-your-writes fence. Used on the connection's event loop only.
 */
public final class ClientSession {
    private final long id;
    private final int loopIndex;
    private final ReadYourWrites readYourWrites = new ReadYourWrites();
    private boolean authenticated;
    private int db;
    private int protocol = 2;
    private String name;
    private String libName;
    private String libVersion;
    private boolean inMulti;
    private boolean multiDirty;
    private boolean watching;

    ClientSession(long id, int loopIndex, boolean authenticated) {
        this.id = id;
        this.loopIndex = loopIndex;
        this.authenticated = authenticated;
    }

    private io.resplit.acl.Acl.Permissions user; // who this connection is authenticated as
    private int aclVersion;

    /** The connection's user as {@code acl} defines it now; null when that user no longer exists. */
    public io.resplit.acl.Acl.Permissions user(io.resplit.acl.Acl acl) {
        if (aclVersion != acl.version()) {
            user = user == null ? null : acl.user(user.name()); // RELOAD or a new command table: look again
            aclVersion = acl.version();
        }
        return user;
    }

    /** The user's name for CLIENT LIST / INFO and ACL WHOAMI. */
    public String userName() {
        return user == null ? io.resplit.acl.Acl.DEFAULT_USER : user.name();
    }

    void user(io.resplit.acl.Acl.Permissions value, int version) {
        this.user = value;
        this.aclVersion = version;
    }

    public long id() {
        return id;
    }

    /** Index of the event loop this connection lives on; selects the backend connections it may use. */
    public int loopIndex() {
        return loopIndex;
    }

    public ReadYourWrites readYourWrites() {
        return readYourWrites;
    }

    public boolean authenticated() {
        return authenticated;
    }

    void authenticated(boolean value) {
        this.authenticated = value;
    }

    public int db() {
        return db;
    }

    void db(int value) {
        this.db = value;
    }

    /** RESP protocol version the client speaks; backend connections are chosen to match it. */
    public int protocol() {
        return protocol;
    }

    void protocol(int value) {
        this.protocol = value;
    }

    public String name() {
        return name;
    }

    void name(String value) {
        this.name = value;
    }

    public String libName() {
        return libName;
    }

    void libName(String value) {
        this.libName = value;
    }

    public String libVersion() {
        return libVersion;
    }

    void libVersion(String value) {
        this.libVersion = value;
    }

    /** Between MULTI and EXEC/DISCARD: commands are queued on the pinned master connection. */
    public boolean inMulti() {
        return inMulti;
    }

    void inMulti(boolean value) {
        this.inMulti = value;
        if (!value) {
            multiDirty = false;
        }
    }

    /** A command inside MULTI was refused by the proxy: EXEC must abort, as Redis does after a queueing error. */
    boolean multiDirty() {
        return multiDirty;
    }

    void markMultiDirty() {
        this.multiDirty = true;
    }

    /** WATCH was sent and not yet ended by EXEC, DISCARD or UNWATCH. */
    public boolean watching() {
        return watching;
    }

    void watching(boolean value) {
        this.watching = value;
    }

    /** Whether this connection's commands must all go to its pinned master connection. */
    public boolean pinnedToMaster() {
        return inMulti || watching;
    }
}
