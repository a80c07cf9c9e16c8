package io.lagoa.lineage;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.openlineage.client.OpenLineage;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * The spec's {@code dataQualityAssertions} facet, put on the table a flow wrote. The spec defines
 * it as an input facet (a checker reads a dataset); a flow's expectations check the rows it writes,
 * so the output is the dataset they are about. Same fields and schema URL.
 */
@JsonPropertyOrder({"_producer", "_schemaURL", "assertions"})
final class OutputAssertions implements OpenLineage.OutputDatasetFacet {
  private final OpenLineage.DataQualityAssertionsDatasetFacet facet;

  OutputAssertions(List<OpenLineage.DataQualityAssertionsDatasetFacetAssertions> assertions) {
    this.facet =
        new OpenLineage(PipelineLineage.PRODUCER).newDataQualityAssertionsDatasetFacet(assertions);
  }

  @Override
  @JsonProperty("_producer")
  public URI get_producer() {
    return facet.get_producer();
  }

  @Override
  @JsonProperty("_schemaURL")
  public URI get_schemaURL() {
    return facet.get_schemaURL();
  }

  @JsonProperty("assertions")
  public List<OpenLineage.DataQualityAssertionsDatasetFacetAssertions> assertions() {
    return facet.getAssertions();
  }

  @Override
  @com.fasterxml.jackson.annotation.JsonIgnore
  public Map<String, Object> getAdditionalProperties() {
    return Map.of();
  }
}
