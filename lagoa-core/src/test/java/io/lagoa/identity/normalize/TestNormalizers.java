package io.lagoa.identity.normalize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lagoa.error.LagoaException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The normalizers on the kind of data Brazilian CRM and ad-platform exports hold. */
class TestNormalizers {
  private final PhoneNormalizer phones = new PhoneNormalizer("BR");

  @Test
  void emailsAreLowerCasedTrimmedAndChecked() {
    for (String raw :
        List.of(
            "JOAO@Email.com ",
            " joao@email.com",
            "joao @ email.com",
            "João Silva <JOAO@EMAIL.COM>",
            "mailto:joao@email.com;",
            "joao@email.com.",
            "ｊｏａｏ＠ｅｍａｉｌ．ｃｏｍ",
            "\u00a0joao@email.com\u00a0")) {
      assertThat(EmailNormalizer.normalize(raw)).as(raw).contains("joao@email.com");
    }
    assertThat(EmailNormalizer.normalize("maria.souza+promo@empresa.com.br"))
        .contains("maria.souza+promo@empresa.com.br");
  }

  @Test
  void garbageEmailsAreEmpty() {
    for (String raw :
        Arrays.asList(
            null,
            "",
            "   ",
            "joao",
            "joao@",
            "@email.com",
            "joao@email",
            "joao@@email.com",
            "joao@email..com",
            "joão@email.com",
            "jo..ao@email.com",
            "joao@email.c",
            "joao@-email.com",
            "joao@email.123",
            "n/a",
            "nao tem",
            "x".repeat(600) + "@email.com")) {
      assertThat(EmailNormalizer.normalize(raw)).as(String.valueOf(raw)).isEmpty();
    }
  }

  @Test
  void gmailMailboxesIgnoreDotsAndTags() {
    assertThat(EmailNormalizer.canonicalMailbox("Joao.Silva+leads@GoogleMail.com"))
        .contains("joaosilva@gmail.com");
    assertThat(EmailNormalizer.canonicalMailbox("joao.silva+x@empresa.com.br"))
        .contains("joao.silva+x@empresa.com.br");
    assertThat(EmailNormalizer.canonicalMailbox("+x@gmail.com")).isEmpty();
  }

  @Test
  void brazilianPhonesBecomeE164() {
    for (String raw :
        List.of(
            "(11) 99999-9999",
            "11999999999",
            "+55 11 9 9999 9999",
            "+55 (11) 99999-9999",
            "55 11 99999 9999",
            "5511999999999",
            "011 99999-9999",
            "11 99999.9999",
            "tel: 11 99999-9999")) {
      assertThat(phones.toE164(raw)).as(raw).contains("+5511999999999");
    }
    // A landline of São Paulo and one of Recife.
    assertThat(phones.toE164("(11) 3333-4444")).contains("+551133334444");
    assertThat(phones.toE164("81 3222-1234")).contains("+558132221234");
    // A number of another country written with its code.
    assertThat(phones.toE164("+1 650-253-0000")).contains("+16502530000");
    assertThat(phones.defaultRegion()).isEqualTo("BR");
  }

  @Test
  void oldEightDigitMobilesGetTheNinthDigit() {
    assertThat(phones.toE164("(11) 8888-7777")).contains("+5511988887777");
    assertThat(phones.toE164("+55 21 9876-5432")).contains("+5521998765432");
  }

  @Test
  void garbagePhonesAreEmpty() {
    for (String raw :
        Arrays.asList(
            null,
            "",
            "  ",
            "abc",
            "999",
            "(00) 99999-9999",
            "1234567",
            "99999999999999999999",
            "não informado",
            "+",
            "9".repeat(100))) {
      assertThat(phones.toE164(raw)).as(String.valueOf(raw)).isEmpty();
    }
  }

  @Test
  void anUnknownRegionIsRefused() {
    assertThatThrownBy(() -> new PhoneNormalizer("BRR"))
        .isInstanceOf(LagoaException.class)
        .hasMessageContaining("region 'BRR'")
        .hasMessageContaining("did you mean");
    assertThat(new PhoneNormalizer(" pt ").toE164("912 345 678")).contains("+351912345678");
    assertThat(PhoneNormalizer.isKnownRegion("US")).isTrue();
    assertThat(PhoneNormalizer.isKnownRegion("XX")).isFalse();
  }

  @Test
  void namesLoseAccentsCaseAndExtraSpaces() {
    for (String raw :
        List.of("João  da Silva", " JOAO DA SILVA ", "joão da silva", "João\u00a0da\tSilva")) {
      assertThat(NameNormalizer.normalize(raw)).as(raw).contains("JOAO DA SILVA");
    }
    assertThat(NameNormalizer.normalize("Maria-Luísa D'Ávila")).contains("MARIA LUISA DAVILA");
    assertThat(NameNormalizer.normalize("Conceição Araújo Gonçalves"))
        .contains("CONCEICAO ARAUJO GONCALVES");
    assertThat(NameNormalizer.normalize("Strauß Ørsted")).contains("STRAUSS ORSTED");
    assertThat(NameNormalizer.normalize("José 2")).contains("JOSE");
  }

  @Test
  void sortedTokensIgnoreTheOrderOfNames() {
    assertThat(NameNormalizer.normalizeTokensSorted("Silva, João")).contains("JOAO SILVA");
    assertThat(NameNormalizer.normalizeTokensSorted("joão silva")).contains("JOAO SILVA");
    assertThat(NameNormalizer.tokensSorted("Souza Ana Maria"))
        .containsExactly("ANA", "MARIA", "SOUZA");
    assertThat(NameNormalizer.tokensSorted(null)).isEmpty();
  }

  @Test
  void garbageNamesAreEmpty() {
    for (String raw : Arrays.asList(null, "", "   ", "123", "--", "joao@email.com", "?!")) {
      assertThat(NameNormalizer.normalize(raw)).as(String.valueOf(raw)).isEmpty();
    }
  }

  @Test
  void cpfsAreCheckedByTheirCheckDigits() {
    for (String raw :
        List.of("529.982.247-25", "52998224725", " 529 982 247 25 ", "529982247-25")) {
      assertThat(DocumentNormalizer.cpf(raw)).as(raw).contains("52998224725");
    }
    assertThat(DocumentNormalizer.cpf("111.444.777-35")).contains("11144477735");
    // Leading zeros a numeric column dropped.
    assertThat(DocumentNormalizer.cpf("1234567890")).contains("01234567890");
    assertThat(DocumentNormalizer.cpf("000.000.001-91")).contains("00000000191");
  }

  @Test
  void invalidCpfsAreEmpty() {
    for (String raw :
        Arrays.asList(
            null,
            "",
            "529.982.247-26",
            "52998224752",
            "111.111.111-11",
            "000.000.000-00",
            "5299822472",
            "529.982.247-2",
            "123.456.789-0X",
            "529982247250",
            "abc.def.ghi-jk",
            "191")) {
      assertThat(DocumentNormalizer.cpf(raw)).as(String.valueOf(raw)).isEmpty();
    }
  }

  @Test
  void cnpjsNumericAndAlphanumeric() {
    assertThat(DocumentNormalizer.cnpj("11.222.333/0001-81")).contains("11222333000181");
    assertThat(DocumentNormalizer.cnpj("11222333000181")).contains("11222333000181");
    assertThat(DocumentNormalizer.cnpj("12.abc.345/01de-35")).contains("12ABC34501DE35");
    assertThat(DocumentNormalizer.cnpj("191")).isEmpty();
    assertThat(DocumentNormalizer.cnpj("11.222.333/0001-82")).isEmpty();
    assertThat(DocumentNormalizer.cnpj("12.ABC.345/01DE-36")).isEmpty();
    assertThat(DocumentNormalizer.cnpj("11.111.111/1111-11")).isEmpty();
    assertThat(DocumentNormalizer.cnpj("12.ABC.345/01DE-3A")).isEmpty();
    assertThat(DocumentNormalizer.cnpj(null)).isEmpty();
  }

  @Test
  void thePersonHashNormalizesEachPartFirst() {
    PersonHash person = PersonHash.standard();
    String expected = "BD629CF310F96EF25E7F9C83A845F72E";
    assertThat(person.of("João Silva", "joao@email.com", "11999999999")).isEqualTo(expected);
    assertThat(person.of("  JOAO   silva", "JOAO@Email.com ", "+55 (11) 99999-9999"))
        .isEqualTo(expected);
    assertThat(person.input("João Silva", "joao@email.com", "11999999999"))
        .contains("JOAO SILVA||JOAO@EMAIL.COM||+5511999999999");
    // NULL, or garbage, in each position.
    assertThat(person.of(null, "joao@email.com", "11999999999"))
        .isEqualTo("ADCCCCD2CDA8C553B6FEEC49F48CA658");
    assertThat(person.of("João Silva", null, "11999999999"))
        .isEqualTo("87896267092DD5D7C12C52AD76822378")
        .isEqualTo(person.of("João Silva", "not an e-mail", "11999999999"));
    assertThat(person.of("João Silva", "joao@email.com", null))
        .isEqualTo("A46EDC219302A8F65C180A9E935EB497")
        .isEqualTo(person.of("João Silva", "joao@email.com", "123"));
    assertThat(person.of("João Silva", null, null)).isEqualTo("31E56E6A7A6BC72CEA6C3C1D40B37122");
    assertThat(person.of(null, "joao@email.com", null))
        .isEqualTo("02229081A5DF3A519FDA27EF3278677D");
    assertThat(person.of(null, null, "11999999999")).isEqualTo("8C4145697FEB92E6A1BDE02ABD6B895F");
    assertThat(person.of(null, null, null)).isNull();
    assertThat(person.of("", "garbage", "abc")).isNull();
  }
}
