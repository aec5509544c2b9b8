package io.resplit.admin;

import java.util.List;

/** CLIENTS: the proxy's client connections, in CLIENT LIST's format. */
final class ClientsCommand implements AdminCommand {
    @Override
    public String name() {
        return "CLIENTS";
    }

    @Override
    public String usage() {
        return "CLIENTS";
    }

    @Override
    public String summary() {
        return "the proxy's client connections (CLIENT LIST format)";
    }

    @Override
    public boolean readOnly(List<String> args) {
        return true;
    }

    @Override
    public AdminReply run(AdminContext ctx, List<String> args) {
        return AdminReply.text(ctx.proxy().describeClients());
    }
}
