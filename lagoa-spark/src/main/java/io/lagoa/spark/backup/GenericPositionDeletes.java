package io.lagoa.spark.backup;

import java.io.IOException;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.RewriteTablePathUtil;
import org.apache.iceberg.Schema;
import org.apache.iceberg.StructLike;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.data.parquet.GenericParquetReaders;
import org.apache.iceberg.data.parquet.GenericParquetWriter;
import org.apache.iceberg.deletes.PositionDeleteWriter;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.io.DeleteSchemaUtil;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.parquet.Parquet;

/**
 * Reads and writes Parquet position-delete files with Iceberg's generic records, for rewriting the
 * data-file paths in them without the engine (Iceberg's own Parquet classes, bundled with its Spark
 * runtime, which is why this lives here). Lagoa writes Parquet; another format is refused.
 */
public final class GenericPositionDeletes
    implements RewriteTablePathUtil.PositionDeleteReaderWriter {
  private static final long serialVersionUID = 1L;

  @Override
  public CloseableIterable<Record> reader(InputFile file, FileFormat format, PartitionSpec spec) {
    requireParquet(format, file.location());
    Schema schema = DeleteSchemaUtil.posDeleteReadSchema(spec.schema());
    return Parquet.read(file)
        .project(schema)
        .createReaderFunc(fileSchema -> GenericParquetReaders.buildReader(schema, fileSchema))
        .build();
  }

  @Override
  public PositionDeleteWriter<Record> writer(
      OutputFile file, FileFormat format, PartitionSpec spec, StructLike partition)
      throws IOException {
    requireParquet(format, file.location());
    return Parquet.writeDeletes(file)
        .createWriterFunc(GenericParquetWriter::create)
        .withPartition(partition)
        .withSpec(spec)
        .buildPositionWriter();
  }

  private static void requireParquet(FileFormat format, String path) {
    if (format != FileFormat.PARQUET) {
      throw new UnsupportedOperationException(
          "Cannot rewrite the position-delete file "
              + path
              + ": it is "
              + format
              + ", and only Parquet ones can be rewritten");
    }
  }
}
