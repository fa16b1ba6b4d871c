package interop;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.leader.Participant;

/**
 * Curator's LeaderLatch as Java services use it, for the cross-language election tests.
 * Usage: LatchPeer connectString latchPath sessionTimeoutMs. Every participant gets its own
 * CuratorFramework (so its own session), as separate Java processes would. Commands:
 *   start id=X     joins with a new client and LeaderLatch(client, latchPath, X); answers at once
 *                  (the latch creates its node in the background, as in any Java service)
 *   close id=X     closes that latch (NOTIFY_LEADER: a leader hears notLeader) and its client
 *   status         the ids whose latch hasLeadership() now: "leaders=a,b" ("leaders=" for none)
 *   path id=X      getOurPath() of that latch (its node, once created)
 *   participants   getParticipants() as Curator reads them: "id*,id,id" (* = isLeader)
 *   events         takes the listener calls logged so far, in order: "a:elected,a:revoked"
 * participants uses an extra client whose latch is never started, so it works with no Java
 * participant left.
 */
public final class LatchPeer extends LinePeer {
    private final String connectString;
    private final String latchPath;
    private final int sessionTimeoutMs;
    private final CuratorFramework observerClient;
    private final LeaderLatch observer;
    private final Map<String, CuratorFramework> clients = new LinkedHashMap<>();
    private final Map<String, LeaderLatch> latches = new LinkedHashMap<>();
    private final List<String> events = new ArrayList<>();

    private LatchPeer(String connectString, String latchPath, int sessionTimeoutMs) throws Exception {
        this.connectString = connectString;
        this.latchPath = latchPath;
        this.sessionTimeoutMs = sessionTimeoutMs;
        observerClient = connect(connectString, sessionTimeoutMs);
        observer = new LeaderLatch(observerClient, latchPath, "observer");
    }

    public static void main(String[] args) throws Exception {
        new LatchPeer(args[0], args[1], Integer.parseInt(args[2])).serve();
    }

    @Override
    protected String handle(String command, String[] args) throws Exception {
        Map<String, String> a = options(args);
        String id = a.get("id");
        switch (command) {
            case "start": {
                CuratorFramework client = connect(connectString, sessionTimeoutMs);
                LeaderLatch latch = new LeaderLatch(client, latchPath, id, LeaderLatch.CloseMode.NOTIFY_LEADER);
                latch.addListener(new LeaderLatchListener() {
                    @Override
                    public void isLeader() {
                        log(id + ":elected");
                    }

                    @Override
                    public void notLeader() {
                        log(id + ":revoked");
                    }
                });
                clients.put(id, client);
                latches.put(id, latch);
                latch.start();
                return "";
            }
            case "close":
                latches.remove(id).close();
                clients.remove(id).close();
                return "";
            case "status": {
                List<String> leaders = new ArrayList<>();
                for (LeaderLatch latch : latches.values()) if (latch.hasLeadership()) leaders.add(latch.getId());
                return "leaders=" + String.join(",", leaders);
            }
            case "path": {
                String path = latches.get(id).getOurPath();
                return path == null ? "" : path;
            }
            case "participants": {
                List<String> ids = new ArrayList<>();
                for (Participant p : observer.getParticipants()) ids.add(p.getId() + (p.isLeader() ? "*" : ""));
                return String.join(",", ids);
            }
            case "events":
                synchronized (events) {
                    String all = String.join(",", events);
                    events.clear();
                    return all;
                }
            default:
                throw new IllegalArgumentException("unknown command " + command);
        }
    }

    /** Listener calls come on Curator's threads; the command thread reads them. */
    private void log(String event) {
        synchronized (events) {
            events.add(event);
        }
    }

    @Override
    protected void close() throws Exception {
        for (LeaderLatch latch : latches.values()) latch.close();
        for (CuratorFramework client : clients.values()) client.close();
        observerClient.close();
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq > 0) options.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        return options;
    }
}
