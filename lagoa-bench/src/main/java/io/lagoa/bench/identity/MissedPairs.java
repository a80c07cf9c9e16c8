package io.lagoa.bench.identity;

import io.lagoa.identity.KeyKind;
import io.lagoa.identity.normalize.DocumentNormalizer;
import io.lagoa.identity.normalize.EmailNormalizer;
import io.lagoa.identity.normalize.PhoneNormalizer;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Why the graph missed the true pairs it missed, from the generator's truth: for each pair of
 * records of one true person that the graph put in two persons, the reason, and the recall a
 * matcher joining every pair that shares a normalized key (transitively) would reach: the ceiling
 * of key-based matching on these leads, names and over-sharing aside.
 */
public final class MissedPairs {
  /** No key in common, directly or through the person's other records: nothing links them. */
  public static final String UNREACHABLE = "no key in common (unreachable by keys)";

  /** No key in common, but linked through another record of the person the graph did not join. */
  public static final String THROUGH_OTHER = "linked only through another record not joined";

  public static final String REJECTED = "shared key rejected (over-shared or ambiguous)";
  public static final String NAMES = "phone shared, names below the threshold";
  public static final String STRONG = "strong key shared, not joined";

  /**
   * @param missed missed true pairs per reason
   * @param truePairs pairs of records that are truly one person
   * @param reachablePairs of which sharing normalized keys links them, directly or transitively
   */
  public record Analysis(Map<String, Long> missed, long truePairs, long reachablePairs) {
    /** The recall of a matcher that joins every pair linked by shared keys: the key ceiling. */
    public double keyCeiling() {
      return truePairs == 0 ? 1 : (double) reachablePairs / truePairs;
    }
  }

  private MissedPairs() {}

  /**
   * @param leads every generated lead
   * @param predicted the graph's person of each lead, by {@code source/record_id}
   * @param rejectedKeys the graph's keys that join nobody ({@code phone:+55...})
   */
  public static Analysis analyze(
      List<LeadRecord> leads,
      Map<String, String> predicted,
      Set<String> rejectedKeys,
      String phoneRegion) {
    PhoneNormalizer phones = new PhoneNormalizer(phoneRegion);
    Map<Long, List<LeadRecord>> byPerson = new HashMap<>();
    for (LeadRecord lead : leads) {
      byPerson.computeIfAbsent(lead.person(), k -> new ArrayList<>(3)).add(lead);
    }
    Map<String, Long> missed = new TreeMap<>();
    long truePairs = 0;
    long reachable = 0;
    for (List<LeadRecord> records : byPerson.values()) {
      int n = records.size();
      if (n < 2) {
        continue;
      }
      List<Map<KeyKind, String>> keys = new ArrayList<>(n);
      for (LeadRecord lead : records) {
        keys.add(keys(lead, phones));
      }
      int[] parent = new int[n];
      for (int i = 0; i < n; i++) {
        parent[i] = i;
      }
      for (int i = 0; i < n; i++) {
        for (int j = i + 1; j < n; j++) {
          if (!shared(keys.get(i), keys.get(j)).isEmpty()) {
            parent[find(parent, i)] = find(parent, j);
          }
        }
      }
      for (int i = 0; i < n; i++) {
        for (int j = i + 1; j < n; j++) {
          truePairs++;
          boolean linked = find(parent, i) == find(parent, j);
          if (linked) {
            reachable++;
          }
          String a = predicted.get(ref(records.get(i)));
          String b = predicted.get(ref(records.get(j)));
          if (a != null && a.equals(b)) {
            continue;
          }
          missed.merge(reason(keys.get(i), keys.get(j), linked, rejectedKeys), 1L, Long::sum);
        }
      }
    }
    return new Analysis(missed, truePairs, reachable);
  }

  private static String reason(
      Map<KeyKind, String> a, Map<KeyKind, String> b, boolean linked, Set<String> rejected) {
    List<KeyKind> shared = shared(a, b);
    if (shared.isEmpty()) {
      return linked ? THROUGH_OTHER : UNREACHABLE;
    }
    boolean allRejected = true;
    for (KeyKind kind : shared) {
      allRejected &= rejected.contains(kind.key(a.get(kind)));
    }
    if (allRejected) {
      return REJECTED;
    }
    for (KeyKind kind : shared) {
      if (kind != KeyKind.PHONE && !rejected.contains(kind.key(a.get(kind)))) {
        return STRONG;
      }
    }
    return NAMES;
  }

  private static List<KeyKind> shared(Map<KeyKind, String> a, Map<KeyKind, String> b) {
    List<KeyKind> shared = new ArrayList<>(3);
    for (Map.Entry<KeyKind, String> key : a.entrySet()) {
      if (key.getValue().equals(b.get(key.getKey()))) {
        shared.add(key.getKey());
      }
    }
    return shared;
  }

  private static Map<KeyKind, String> keys(LeadRecord lead, PhoneNormalizer phones) {
    Map<KeyKind, String> keys = new EnumMap<>(KeyKind.class);
    put(
        keys,
        KeyKind.EMAIL,
        lead.email() == null ? Optional.empty() : EmailNormalizer.normalize(lead.email()));
    put(keys, KeyKind.PHONE, lead.phone() == null ? Optional.empty() : phones.toE164(lead.phone()));
    put(
        keys,
        KeyKind.DOCUMENT,
        lead.document() == null ? Optional.empty() : DocumentNormalizer.cpf(lead.document()));
    return keys;
  }

  private static void put(Map<KeyKind, String> keys, KeyKind kind, Optional<String> value) {
    value.ifPresent(v -> keys.put(kind, v));
  }

  static String ref(LeadRecord lead) {
    return lead.source() + "/" + lead.recordId();
  }

  private static int find(int[] parent, int node) {
    while (parent[node] != node) {
      parent[node] = parent[parent[node]];
      node = parent[node];
    }
    return node;
  }
}
