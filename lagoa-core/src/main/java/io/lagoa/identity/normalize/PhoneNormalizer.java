package io.lagoa.identity.normalize;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.PhoneNumberFormat;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import io.lagoa.error.ErrorCode;
import io.lagoa.error.LagoaException;
import io.lagoa.text.EditDistance;
import java.io.Serializable;
import java.util.Locale;
import java.util.Optional;

/**
 * Phone numbers to E.164 ({@code +5511999999999}) with Google's libphonenumber: {@code "(11)
 * 99999-9999"}, {@code "+55 11 9 9999 9999"}, {@code "011 99999 9999"} and {@code "5511999999999"}
 * are one number. A number without a country code is read as a number of the default region. Only
 * numbers libphonenumber calls valid for their country come out (right length, an area code that
 * exists); the rest is empty, and nothing here throws.
 *
 * <p>One Brazilian rule on top: a ten-digit Brazilian mobile number from before the ninth digit
 * (2012-2016), {@code (11) 8888-7777}, is tried again with the 9 Anatel added, when only that makes
 * it valid.
 */
public final class PhoneNormalizer implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final int BRAZIL = 55;

  private final String defaultRegion;

  /** libphonenumber's one instance; looked up again after deserialization (Spark tasks). */
  private transient PhoneNumberUtil phones;

  /**
   * @param defaultRegion the ISO 3166 region of numbers written without a country code, e.g. {@code
   *     BR}; an unknown region is refused
   */
  public PhoneNormalizer(String defaultRegion) {
    String region = defaultRegion == null ? "" : defaultRegion.strip().toUpperCase(Locale.ROOT);
    PhoneNumberUtil util = PhoneNumberUtil.getInstance();
    if (!util.getSupportedRegions().contains(region)) {
      String suggestion =
          EditDistance.closest(region, util.getSupportedRegions())
              .map(best -> " (did you mean '" + best + "'?)")
              .orElse("");
      throw new LagoaException(
          ErrorCode.INVALID_ARGUMENT,
          "Cannot normalize phone numbers for region '"
              + defaultRegion
              + "': not an ISO 3166 region code libphonenumber knows"
              + suggestion);
    }
    this.defaultRegion = region;
    this.phones = util;
  }

  /** Whether {@code region} can be a default region (an ISO 3166 code libphonenumber knows). */
  public static boolean isKnownRegion(String region) {
    return region != null
        && PhoneNumberUtil.getInstance()
            .getSupportedRegions()
            .contains(region.strip().toUpperCase(Locale.ROOT));
  }

  public String defaultRegion() {
    return defaultRegion;
  }

  /** The number in E.164, or empty when it is not a valid phone number. */
  public Optional<String> toE164(String raw) {
    if (raw == null || raw.isBlank() || raw.length() > 64) {
      return Optional.empty();
    }
    PhoneNumberUtil util = util();
    PhoneNumber number;
    try {
      number = util.parse(raw, defaultRegion);
    } catch (NumberParseException e) {
      return Optional.empty();
    }
    if (!util.isValidNumber(number)) {
      number = withBrazilianNinthDigit(util, number);
      if (number == null) {
        return Optional.empty();
      }
    }
    return Optional.of(util.format(number, PhoneNumberFormat.E164));
  }

  private PhoneNumberUtil util() {
    if (phones == null) {
      phones = PhoneNumberUtil.getInstance();
    }
    return phones;
  }

  /** A pre-2016 Brazilian mobile number with the ninth digit added, or null when not one. */
  private static PhoneNumber withBrazilianNinthDigit(PhoneNumberUtil util, PhoneNumber number) {
    String national = Long.toString(number.getNationalNumber());
    if (number.getCountryCode() != BRAZIL
        || national.length() != 10
        || national.charAt(2) < '6'
        || number.hasExtension()) {
      return null;
    }
    PhoneNumber mobile =
        new PhoneNumber()
            .setCountryCode(BRAZIL)
            .setNationalNumber(
                Long.parseLong(national.substring(0, 2) + "9" + national.substring(2)));
    return util.isValidNumber(mobile) ? mobile : null;
  }
}
