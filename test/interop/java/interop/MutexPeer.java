package interop;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;

/**
 * Curator's InterProcessMutex as Java services use it, for the cross-language lock tests.
 * Usage: MutexPeer connectString lockPath sessionTimeoutMs clients. Each client is its own
 * CuratorFramework (so its own session) with its own InterProcessMutex on lockPath, as two Java
 * processes would be. Commands:
 *   cycles count=N holdMs=M witness=W  each client, in its own thread, N times: acquire, create
 *                                      W EPHEMERAL, hold 0..M ms, delete W, release. Answers
 *                                      "served=<per client> violations=<n> [first=<detail>]"
 *   acquire client=I   client I waits for the lock (up to 30 s)
 *   release client=I
 *   participants       getParticipantNodes() of client 0, in Curator's order, comma-separated
 * acquire and release run on the command thread: InterProcessMutex ties a hold to its thread.
 */
public final class MutexPeer extends LinePeer {
    private final List<CuratorFramework> clients = new ArrayList<>();
    private final List<InterProcessMutex> mutexes = new ArrayList<>();

    private MutexPeer(String connectString, String lockPath, int sessionTimeoutMs, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            CuratorFramework client = connect(connectString, sessionTimeoutMs);
            clients.add(client);
            mutexes.add(new InterProcessMutex(client, lockPath));
        }
    }

    public static void main(String[] args) throws Exception {
        new MutexPeer(args[0], args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3])).serve();
    }

    @Override
    protected String handle(String command, String[] args) throws Exception {
        Map<String, String> a = options(args);
        switch (command) {
            case "cycles":
                return cycles(Integer.parseInt(a.get("count")), Integer.parseInt(a.get("holdMs")), a.get("witness"));
            case "acquire":
                if (!mutexes.get(Integer.parseInt(a.get("client"))).acquire(30, TimeUnit.SECONDS))
                    throw new IllegalStateException("lock not acquired in 30 s");
                return "";
            case "release":
                mutexes.get(Integer.parseInt(a.get("client"))).release();
                return "";
            case "participants":
                return String.join(",", mutexes.get(0).getParticipantNodes());
            default:
                throw new IllegalArgumentException("unknown command " + command);
        }
    }

    /** Every client contends at once; the witness node is how a second holder would show. */
    private String cycles(int count, int holdMs, String witness) throws Exception {
        AtomicInteger violations = new AtomicInteger();
        StringBuffer first = new StringBuffer();
        ExecutorService pool = Executors.newFixedThreadPool(clients.size());
        try {
            List<Future<Integer>> served = new ArrayList<>();
            for (int i = 0; i < clients.size(); i++) {
                CuratorFramework client = clients.get(i);
                InterProcessMutex mutex = mutexes.get(i);
                byte[] me = ("java-" + i).getBytes(StandardCharsets.UTF_8);
                served.add(pool.submit(() -> {
                    int done = 0;
                    for (int n = 0; n < count; n++) {
                        if (!mutex.acquire(30, TimeUnit.SECONDS))
                            throw new IllegalStateException("lock not acquired in 30 s");
                        boolean created = false;
                        try {
                            // Created with the holder's own session: if another contender holds
                            // the lock too, its witness is there and this create fails.
                            client.create().withMode(CreateMode.EPHEMERAL).forPath(witness, me);
                            created = true;
                        } catch (KeeperException.NodeExistsException e) {
                            if (violations.incrementAndGet() == 1)
                                first.append(new String(me, StandardCharsets.UTF_8)).append(" found ")
                                        .append(new String(client.getData().forPath(witness), StandardCharsets.UTF_8));
                        }
                        Thread.sleep(ThreadLocalRandom.current().nextInt(holdMs + 1));
                        if (created) client.delete().forPath(witness); // before the lock goes
                        mutex.release();
                        done++;
                    }
                    return done;
                }));
            }
            List<String> counts = new ArrayList<>();
            for (Future<Integer> f : served) counts.add(String.valueOf(f.get()));
            String result = "served=" + String.join(",", counts) + " violations=" + violations.get();
            return first.length() == 0 ? result : result + " first=" + first.toString().replace(' ', '_');
        } finally {
            pool.shutdownNow();
        }
    }

    @Override
    protected void close() throws Exception {
        for (CuratorFramework client : clients) client.close(); // ephemeral lock nodes go with the sessions
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
