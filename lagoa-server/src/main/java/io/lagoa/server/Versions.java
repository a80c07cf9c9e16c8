package io.lagoa.server;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.iceberg.IcebergBuild;

/** What /version answers: Lagoa's version and the Iceberg and Java it runs on. */
final class Versions {
  private Versions() {}

  static Map<String, String> describe() {
    Map<String, String> versions = new LinkedHashMap<>();
    String lagoa = LagoaServer.class.getPackage().getImplementationVersion();
    versions.put("lagoa", lagoa == null ? "development build" : lagoa);
    versions.put("iceberg", IcebergBuild.version());
    versions.put("iceberg-rest-spec", "1.12");
    versions.put("java", Runtime.version().toString());
    return versions;
  }
}
