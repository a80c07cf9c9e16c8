// Kafka -> Parquet without Spark: how fast plain Java reads, parses and writes the bench events (README.md).
import com.fasterxml.jackson.core.*;
import org.apache.kafka.clients.consumer.*;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.iceberg.*;
import org.apache.iceberg.data.*;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.io.*;
import org.apache.iceberg.parquet.Parquet;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.Files;
import java.time.Duration;
import java.util.*;

public class PlainJava {
  static final Schema SCHEMA = new Schema(
    Types.NestedField.optional(1, "event_id", Types.LongType.get()), Types.NestedField.optional(2, "user_id", Types.LongType.get()),
    Types.NestedField.optional(3, "first_name", Types.StringType.get()), Types.NestedField.optional(4, "last_name", Types.StringType.get()),
    Types.NestedField.optional(5, "song", Types.StringType.get()), Types.NestedField.optional(6, "artist", Types.StringType.get()),
    Types.NestedField.optional(7, "duration_ms", Types.LongType.get()), Types.NestedField.optional(8, "played_at", Types.StringType.get()),
    Types.NestedField.optional(9, "note", Types.StringType.get()));
  public static void main(String[] a) throws Exception {
    String servers = a[0], topic = a[1]; String mode = a[2];
    for (int round = 0; round < 3; round++) {
      long t = System.nanoTime();
      List<Thread> threads = new ArrayList<>(); long[] counts = new long[2];
      for (int p = 0; p < 2; p++) { int part = p;
        Thread th = new Thread(() -> { try { counts[part] = run(servers, topic, part, mode, System.getProperty("java.io.tmpdir") + "/kafka-floor-" + part + ".parquet"); } catch (Exception e) { throw new RuntimeException(e); } });
        th.start(); threads.add(th); }
      for (Thread th : threads) th.join();
      double s = (System.nanoTime() - t) / 1e9;
      System.out.printf("%s: %d rows %.2f s %.0f rows/s%n", mode, counts[0] + counts[1], s, (counts[0] + counts[1]) / s);
    }
  }
  static long run(String servers, String topic, int part, String mode, String file) throws Exception {
    Properties props = new Properties();
    props.put("bootstrap.servers", servers); props.put("key.deserializer", ByteArrayDeserializer.class.getName()); props.put("value.deserializer", ByteArrayDeserializer.class.getName());
    props.put("enable.auto.commit", "false"); props.put("max.poll.records", "5000"); props.put("fetch.max.bytes", "52428800"); props.put("max.partition.fetch.bytes", "10485760");
    JsonFactory f = new JsonFactory();
    long n = 0;
    TopicPartition tp = new TopicPartition(topic, part);
    new java.io.File(file).delete();
    FileAppender<org.apache.iceberg.data.Record> w = mode.equals("write") ? Parquet.write(Files.localOutput(file)).schema(SCHEMA).createWriterFunc(GenericParquetWriter::create).set("write.parquet.compression-codec", "zstd").build() : null;
    GenericRecord template = GenericRecord.create(SCHEMA);
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props)) {
      c.assign(List.of(tp)); c.seekToBeginning(List.of(tp)); long end = c.endOffsets(List.of(tp)).get(tp);
      while (c.position(tp) < end) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
          n++;
          if (mode.equals("fetch")) continue;
          GenericRecord rec = template.copy();
          try (JsonParser jp = f.createParser(r.value())) {
            jp.nextToken();
            while (jp.nextToken() == JsonToken.FIELD_NAME) {
              String name = jp.currentName(); JsonToken v = jp.nextToken();
              Types.NestedField field = SCHEMA.findField(name);
              if (field == null) { jp.skipChildren(); continue; }
              if (field.type().typeId() == org.apache.iceberg.types.Type.TypeID.LONG) rec.setField(name, jp.getLongValue()); else rec.setField(name, jp.getText());
            }
          }
          if (w != null) w.add(rec);
        }
      }
    }
    if (w != null) w.close();
    return n;
  }
}
