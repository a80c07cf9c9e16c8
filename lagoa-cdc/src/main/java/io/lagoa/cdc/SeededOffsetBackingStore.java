package io.lagoa.cdc;

import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.OffsetBackingStore;
import org.apache.kafka.connect.util.Callback;

/**
 * The engine's offset store: in memory, seeded from the position the caller stored with its data
 * (the engine property {@link #SEED}), never a file. What the engine writes here is only what the
 * caller acknowledged after its own commit; the durable copy is the caller's.
 */
public final class SeededOffsetBackingStore implements OffsetBackingStore {
  /** Engine property holding the stored position, as {@link CdcOffsets#position} wrote it. */
  public static final String SEED = "lagoa.offsets.seed";

  private final Map<ByteBuffer, ByteBuffer> data = new ConcurrentHashMap<>();

  @Override
  public void configure(WorkerConfig config) {
    Map<String, String> originals = config.originalsStrings();
    data.putAll(CdcOffsets.storeEntries(originals.get("name"), originals.get(SEED)));
  }

  @Override
  public void start() {}

  @Override
  public void stop() {}

  @Override
  public Future<Map<ByteBuffer, ByteBuffer>> get(Collection<ByteBuffer> keys) {
    Map<ByteBuffer, ByteBuffer> result = new HashMap<>();
    for (ByteBuffer key : keys) {
      ByteBuffer value = data.get(key);
      if (value != null) {
        result.put(key, value);
      }
    }
    return CompletableFuture.completedFuture(result);
  }

  @Override
  public Future<Void> set(Map<ByteBuffer, ByteBuffer> values, Callback<Void> callback) {
    values.forEach(
        (key, value) -> {
          if (key != null) {
            if (value == null) {
              data.remove(key);
            } else {
              data.put(key, value);
            }
          }
        });
    if (callback != null) {
      callback.onCompletion(null, null);
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public Set<Map<String, Object>> connectorPartitions(String connectorName) {
    return Set.of();
  }
}
