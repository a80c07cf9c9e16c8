package io.lagoa.identity;

import io.lagoa.identity.normalize.DocumentNormalizer;
import io.lagoa.identity.normalize.EmailNormalizer;
import io.lagoa.identity.normalize.PhoneNormalizer;
import java.util.ArrayList;
import java.util.List;

/** What {@code identity explain} was given: a person id, or the key an e-mail, phone or CPF is. */
public final class Subjects {
  private Subjects() {}

  /**
   * The keys a subject may stand for, the likeliest first ({@code email:joao@x.com}; eleven digits
   * may be a CPF or a phone); empty when it is a person id or nothing recognizable.
   */
  public static List<String> keys(String subject, String phoneRegion) {
    String text = subject.strip();
    List<String> keys = new ArrayList<>();
    if (PersonIds.looksLikeId(text)) {
      return keys;
    }
    if (text.contains("@")) {
      EmailNormalizer.normalize(text).map(KeyKind.EMAIL::key).ifPresent(keys::add);
      return keys;
    }
    if (!text.startsWith("+")) {
      DocumentNormalizer.cpf(text).map(KeyKind.DOCUMENT::key).ifPresent(keys::add);
    }
    new PhoneNormalizer(phoneRegion).toE164(text).map(KeyKind.PHONE::key).ifPresent(keys::add);
    return keys;
  }
}
