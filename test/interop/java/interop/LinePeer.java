package interop;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;

/**
 * The Java side of test/interop/java.ts's line protocol: prints "ready" once set up, then
 * answers each stdin line with exactly one stdout line, "ok <result>" or "error <message>".
 * End of stdin (or "quit") closes the peer and exits. Subclasses implement one command set.
 */
public abstract class LinePeer {
    /** Answers one command; the result goes after "ok " (may be empty). */
    protected abstract String handle(String command, String[] args) throws Exception;

    /** Releases what the peer holds (recipes, then the client). */
    protected abstract void close() throws Exception;

    /** A started Curator client with a short retry policy, as tests want. */
    protected static CuratorFramework connect(String connectString, int sessionTimeoutMs)
            throws InterruptedException {
        CuratorFramework client = CuratorFrameworkFactory.builder()
                .connectString(connectString)
                .sessionTimeoutMs(sessionTimeoutMs)
                .connectionTimeoutMs(10_000)
                .retryPolicy(new ExponentialBackoffRetry(100, 5))
                .build();
        client.start();
        if (!client.blockUntilConnected(30, java.util.concurrent.TimeUnit.SECONDS))
            throw new IllegalStateException("no connection to " + connectString);
        return client;
    }

    /** Runs the loop on stdin/stdout. */
    public final void serve() throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        reply("ready");
        try {
            for (String line; (line = in.readLine()) != null; ) {
                String[] words = line.trim().split("\\s+");
                if (words[0].isEmpty()) continue;
                if (words[0].equals("quit")) {
                    reply("ok");
                    break;
                }
                try {
                    String result = handle(words[0], Arrays.copyOfRange(words, 1, words.length));
                    reply(result == null || result.isEmpty() ? "ok" : "ok " + result);
                } catch (Exception e) {
                    reply("error " + (e.getClass().getSimpleName() + ": " + e.getMessage()).replace('\n', ' '));
                }
            }
        } finally {
            close();
        }
    }

    private static void reply(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
