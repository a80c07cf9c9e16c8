package io.lagoa.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The default standard against digests computed outside Java (Python's hashlib and unicodedata), so
 * the definition in docs/datavault.md, not just this code, is what is checked.
 */
class TestHashStandard {
  private final HashStandard standard = HashStandard.DEFAULT;

  @Test
  void defaultStandardIsPinned() {
    assertThat(standard.name()).isEqualTo("lagoa-dv-v1");
    assertThat(standard.definition())
        .isEqualTo(
            "algorithm=MD5;encoding=HEX_UPPER;delimiter=||;null=^^;"
                + "key=nfkd-no-marks,upper,trim,empty-null;diff=trim,empty-null;charset=UTF-8");
    assertThat(HashStandard.named("lagoa-dv-v1")).isSameAs(standard);
  }

  @Test
  void businessKeysAreNormalizedBeforeHashing() {
    assertThat(key("João")).isEqualTo("97BA81591615D92C83D8CF2B6028EF4D");
    assertThat(key("JOAO")).isEqualTo("97BA81591615D92C83D8CF2B6028EF4D");
    assertThat(key("  joão\t")).isEqualTo("97BA81591615D92C83D8CF2B6028EF4D");
    // Full-width letters and a no-break space fold under NFKD.
    assertThat(key("\u00a0Ａｎａ  ")).isEqualTo("CF886FB16B28EED1395218CE62B8509F");
    assertThat(standard.hashKeyInput(List.of("São Paulo"))).contains("SAO PAULO");
  }

  @Test
  void partsKeepTheirOrderAndNullsTakeThePlaceholder() {
    assertThat(key("1001", "BR")).isEqualTo("13B02F8289AA0381B5C3F623BAA5C080");
    assertThat(key("BR", "1001")).isNotEqualTo(key("1001", "BR"));
    assertThat(key("  joão ", null)).isEqualTo("08F034F20E90FC3E84A482F05C6EF22E");
    assertThat(standard.hashKeyInput(Arrays.asList("ACME", null, " "))).contains("ACME||^^||^^");
    assertThat(key("ACME", null, "")).isEqualTo("A60382AC8DC5AB1F8B6C5558F5C0B380");
  }

  @Test
  void aKeyOfOnlyNullsIsNull() {
    assertThat(key((String) null)).isNull();
    assertThat(key(null, "", "   ")).isNull();
    assertThat(standard.hashKeyBytes(Arrays.asList(null, null))).isNull();
    assertThat(standard.hashKeyInput(Arrays.asList("", null))).isEmpty();
  }

  @Test
  void hashDiffsKeepCaseAndAccentsAndAreNeverNull() {
    assertThat(standard.hashDiff(Arrays.asList("João da Silva", null, " São Paulo ")))
        .isEqualTo("349C7B33052DD0E08DDE09BFDF6FFEF3");
    assertThat(standard.hashDiff(Arrays.asList("joão da silva", null, "São Paulo")))
        .isNotEqualTo(standard.hashDiff(Arrays.asList("João da Silva", null, "São Paulo")));
    assertThat(standard.hashDiff(Arrays.asList(null, "")))
        .isEqualTo("8DCFFD779E848FF7273B6CAEB4698D1E");
  }

  @Test
  void otherStandardsChangeOnlyTheDigestAndItsEncoding() {
    HashStandard sha = HashStandard.named("lagoa-dv-v1-sha256");
    assertThat(sha.hashKey(List.of("João")))
        .isEqualTo("98FFF89C371C4074B03F654286254D029C9A3A62657E6B80203639BEDA3E772D");
    HashStandard binary = HashStandard.named("lagoa-dv-v1-md5-binary");
    assertThat(binary.encoding().isBinary()).isTrue();
    assertThat(binary.hashKeyBytes(List.of("João")))
        .isEqualTo(HexFormat.of().parseHex("97ba81591615d92c83d8cf2b6028ef4d"));
    assertThat(HashStandard.named("lagoa-dv-v1-sha256-binary").hashDiffBytes(List.of("x")))
        .hasSize(32);
    HashStandard lower =
        new HashStandard(
            "custom",
            HashAlgorithm.MD5,
            HashEncoding.HEX_LOWER,
            "|",
            "~",
            KeyNormalization.ATTRIBUTE);
    assertThat(lower.hashKey(List.of("JOAO"))).isEqualTo("97ba81591615d92c83d8cf2b6028ef4d");
    assertThat(HashStandard.known()).extracting(HashStandard::name).doesNotHaveDuplicates();
  }

  @Test
  void unknownStandardsAreRefusedWithTheClosestName() {
    assertThatThrownBy(() -> HashStandard.named("lagoa-dv-v2"))
        .isInstanceOf(LagoaException.class)
        .hasMessageContaining("Unknown hash standard 'lagoa-dv-v2' (did you mean 'lagoa-dv-v1'?)")
        .hasMessageContaining("lagoa-dv-v1-sha256");
    assertThatThrownBy(() -> key()).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void tablesRecordTheirStandardAndRefuseAnother() {
    Map<String, String> recorded = standard.tableProperties();
    assertThat(recorded)
        .containsEntry("lagoa.vault.hash-standard", "lagoa-dv-v1")
        .containsEntry("lagoa.vault.hash-standard.definition", standard.definition());
    standard.checkTable("silver.hub_pessoa", recorded);
    standard.checkTable("silver.hub_pessoa", Map.of("format-version", "2"));

    HashStandard sha = HashStandard.named("lagoa-dv-v1-sha256");
    assertThatThrownBy(() -> sha.checkTable("silver.hub_pessoa", recorded))
        .isInstanceOf(LagoaException.class)
        .satisfies(e -> assertThat(((LagoaException) e).code()).isEqualTo(ErrorCode.TABLE_CONFLICT))
        .hasMessageContaining(
            "Cannot write silver.hub_pessoa with hash standard 'lagoa-dv-v1-sha256': the table"
                + " was written with hash standard 'lagoa-dv-v1' (algorithm=MD5;");

    Map<String, String> redefined =
        Map.of(
            HashStandard.PROPERTY,
            "lagoa-dv-v1",
            HashStandard.DEFINITION_PROPERTY,
            "algorithm=MD5");
    assertThatThrownBy(() -> standard.checkTable("silver.hub_pessoa", redefined))
        .isInstanceOf(LagoaException.class)
        .hasMessageContaining("the table records that standard as 'algorithm=MD5'");
  }

  private String key(String... parts) {
    return standard.hashKey(Arrays.asList(parts));
  }
}
