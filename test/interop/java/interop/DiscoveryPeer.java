package interop;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.x.discovery.ServiceCache;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.ServiceInstanceBuilder;
import org.apache.curator.x.discovery.ServiceType;
import org.apache.curator.x.discovery.UriSpec;

/**
 * curator-x-discovery as a Java service would use it. Usage: DiscoveryPeer connectString
 * basePath [sessionTimeoutMs]. Commands (answers are JSON):
 *   register name=N id=I address=A [port=P] [sslPort=S] [type=DYNAMIC|STATIC|...] [uriSpec=T]
 *   unregister id=I            query name=N (ServiceDiscovery.queryForInstances)
 *   cache name=N (starts a ServiceCache)      cached name=N (that cache's instances)
 */
public final class DiscoveryPeer extends LinePeer {
    private final CuratorFramework client;
    private final ServiceDiscovery<Object> discovery;
    private final Map<String, ServiceInstance<Object>> registered = new HashMap<>();
    private final Map<String, ServiceCache<Object>> caches = new HashMap<>();
    private final ObjectMapper json = new ObjectMapper();

    private DiscoveryPeer(String connectString, String basePath, int sessionTimeoutMs) throws Exception {
        client = connect(connectString, sessionTimeoutMs);
        discovery = ServiceDiscoveryBuilder.builder(Object.class).client(client).basePath(basePath).build();
        discovery.start();
    }

    public static void main(String[] args) throws Exception {
        int timeout = args.length > 2 ? Integer.parseInt(args[2]) : 4000;
        new DiscoveryPeer(args[0], args[1], timeout).serve();
    }

    @Override
    protected String handle(String command, String[] args) throws Exception {
        Map<String, String> a = options(args);
        switch (command) {
            case "register": {
                ServiceInstanceBuilder<Object> builder = ServiceInstance.builder()
                        .name(a.get("name")).id(a.get("id")).address(a.get("address"))
                        .serviceType(ServiceType.valueOf(a.getOrDefault("type", "DYNAMIC")));
                if (a.containsKey("port")) builder.port(Integer.parseInt(a.get("port")));
                if (a.containsKey("sslPort")) builder.sslPort(Integer.parseInt(a.get("sslPort")));
                if (a.containsKey("uriSpec")) builder.uriSpec(new UriSpec(a.get("uriSpec")));
                ServiceInstance<Object> instance = builder.build();
                discovery.registerService(instance);
                registered.put(instance.getId(), instance);
                return json.writeValueAsString(describe(instance));
            }
            case "unregister":
                discovery.unregisterService(registered.remove(a.get("id")));
                return "";
            case "query":
                return describeAll(discovery.queryForInstances(a.get("name")));
            case "cache": {
                ServiceCache<Object> cache = discovery.serviceCacheBuilder().name(a.get("name")).build();
                cache.start();
                caches.put(a.get("name"), cache);
                return "";
            }
            case "cached":
                return describeAll(caches.get(a.get("name")).getInstances());
            default:
                throw new IllegalArgumentException("unknown command " + command);
        }
    }

    @Override
    protected void close() throws Exception {
        for (ServiceCache<Object> cache : caches.values()) cache.close();
        discovery.close();
        client.close();
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            options.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        return options;
    }

    private String describeAll(java.util.Collection<ServiceInstance<Object>> instances) throws Exception {
        List<Map<String, Object>> all = new ArrayList<>();
        for (ServiceInstance<Object> instance : instances) all.add(describe(instance));
        all.sort((x, y) -> String.valueOf(x.get("id")).compareTo(String.valueOf(y.get("id"))));
        return json.writeValueAsString(all);
    }

    /** What Java sees of an instance, field by field (uriSpec: built with Curator's UriSpec). */
    private static Map<String, Object> describe(ServiceInstance<Object> instance) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("name", instance.getName());
        fields.put("id", instance.getId());
        fields.put("address", instance.getAddress());
        fields.put("port", instance.getPort());
        fields.put("sslPort", instance.getSslPort());
        fields.put("payload", instance.getPayload());
        fields.put("payloadClass", instance.getPayload() == null ? null : instance.getPayload().getClass().getName());
        fields.put("registrationTimeUTC", instance.getRegistrationTimeUTC());
        fields.put("serviceType", instance.getServiceType().name());
        fields.put("uri", instance.getUriSpec() == null ? null : instance.buildUriSpec());
        fields.put("enabled", instance.isEnabled());
        return fields;
    }
}
