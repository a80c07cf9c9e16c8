package io.lagoa.bench.identity;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Generates CRM contacts, Facebook Ads leads and Google Ads leads of known persons, with the
 * messiness real leads have: names without accents, in other case or order, with typos; e-mails in
 * other case and with spaces, or changed; phones in every format; CPFs formatted or not (CRM only);
 * families sharing a phone; a few junk values ("teste@teste.com", "11999999999") shared by many;
 * garbage. The same seed gives the same records.
 */
public final class LeadsGenerator {
  private static final String[] FIRST = {
    "João",
    "Maria",
    "José",
    "Ana",
    "Antônio",
    "Francisca",
    "Carlos",
    "Antônia",
    "Paulo",
    "Adriana",
    "Pedro",
    "Juliana",
    "Lucas",
    "Márcia",
    "Luiz",
    "Fernanda",
    "Marcos",
    "Patrícia",
    "Luís",
    "Aline",
    "Gabriel",
    "Sandra",
    "Rafael",
    "Camila",
    "Daniel",
    "Amanda",
    "Marcelo",
    "Bruna",
    "Bruno",
    "Jéssica",
    "Eduardo",
    "Letícia",
    "Felipe",
    "Júlia",
    "Raimundo",
    "Luciana",
    "Rodrigo",
    "Vanessa",
    "Manoel",
    "Mariana",
    "Mateus",
    "Gabriela",
    "André",
    "Vera",
    "Fernando",
    "Vitória",
    "Fábio",
    "Larissa",
    "Leonardo",
    "Cláudia",
    "Gustavo",
    "Beatriz",
    "Guilherme",
    "Luana",
    "Leandro",
    "Rita",
    "Tiago",
    "Sônia",
    "Anderson",
    "Renata",
    "Ricardo",
    "Eliane",
    "Márcio",
    "Josefa",
    "Jorge",
    "Simone",
    "Sebastião",
    "Natália",
    "Alexandre",
    "Cristina",
    "Roberto",
    "Carla",
    "Edson",
    "Débora",
    "Diego",
    "Rosângela",
    "Vitor",
    "Jaqueline",
    "Sérgio",
    "Rosa",
    "Cláudio",
    "Daniela",
    "Matheus",
    "Aparecida",
    "Thiago",
    "Marlene",
    "Geraldo",
    "Terezinha",
    "Adriano",
    "Raimunda",
    "Luciano",
    "Andréa",
    "Júlio",
    "Fabiana",
    "Renato",
    "Lúcia",
    "Alex",
    "Raquel",
    "Vinícius",
    "Ângela"
  };
  private static final String[] LAST = {
    "Silva",
    "Santos",
    "Oliveira",
    "Souza",
    "Rodrigues",
    "Ferreira",
    "Alves",
    "Pereira",
    "Lima",
    "Gomes",
    "Costa",
    "Ribeiro",
    "Martins",
    "Carvalho",
    "Almeida",
    "Lopes",
    "Soares",
    "Fernandes",
    "Vieira",
    "Barbosa",
    "Rocha",
    "Dias",
    "Nascimento",
    "Andrade",
    "Moreira",
    "Nunes",
    "Marques",
    "Machado",
    "Mendes",
    "Freitas",
    "Cardoso",
    "Ramos",
    "Gonçalves",
    "Santana",
    "Teixeira",
    "Araújo",
    "Cavalcanti",
    "Monteiro",
    "Moura",
    "Correia",
    "Pinto",
    "Campos",
    "Cunha",
    "Batista"
  };
  private static final String[] PROVIDERS = {
    "gmail.com", "hotmail.com", "yahoo.com.br", "outlook.com", "uol.com.br", "bol.com.br"
  };
  private static final String[] AREAS = {
    "11", "21", "31", "41", "51", "61", "71", "81", "85", "19"
  };
  private static final String[] JUNK_EMAILS = {"teste@teste.com", "naotem@email.com"};
  private static final String[] JUNK_PHONES = {"11999999999", "(11) 0000-0000"};

  private final long seed;

  public LeadsGenerator(long seed) {
    this.seed = seed;
  }

  /** A person as the generator knows it. */
  private record Person(
      long number, String first, String last, String email, String phone, String cpf) {}

  /**
   * Generates about {@code records} leads (each person is in one to three sources), handing each to
   * {@code sink} in the order the sources would deliver them.
   *
   * @return the number of persons
   */
  public long generate(long records, Consumer<LeadRecord> sink) {
    Random random = new Random(seed);
    long emitted = 0;
    long person = 0;
    String familyPhone = null;
    String familyLast = null;
    int familyLeft = 0;
    while (emitted < records) {
      String first = FIRST[random.nextInt(FIRST.length)];
      String last;
      String phone;
      if (familyLeft > 0) {
        last = familyLast;
        phone = familyPhone;
        familyLeft--;
      } else {
        last = LAST[random.nextInt(LAST.length)] + " " + LAST[random.nextInt(LAST.length)];
        phone = phone(random);
        if (random.nextDouble() < 0.03) { // a family shares this phone
          familyLeft = 1 + random.nextInt(4);
          familyPhone = phone;
          familyLast = last;
        }
      }
      String email =
          ascii(first + "." + last.replace(' ', '.')).toLowerCase(Locale.ROOT)
              + person
              + "@"
              + PROVIDERS[random.nextInt(PROVIDERS.length)];
      Person truth = new Person(person, first, last, email, phone, cpf(random));
      boolean crm = random.nextDouble() < 0.6;
      boolean facebook = random.nextDouble() < 0.5;
      boolean google = random.nextDouble() < 0.4;
      if (!crm && !facebook && !google) {
        crm = true;
      }
      if (crm) {
        sink.accept(lead("crm", "c" + person, truth, random, true));
        emitted++;
      }
      if (facebook) {
        sink.accept(lead("facebook", "fb" + person, truth, random, false));
        emitted++;
      }
      if (google) {
        sink.accept(lead("google", "g" + person, truth, random, false));
        emitted++;
      }
      person++;
    }
    return person;
  }

  /** Generates into a list (tests, small sizes). */
  public List<LeadRecord> generate(long records) {
    List<LeadRecord> leads = new ArrayList<>();
    generate(records, leads::add);
    return leads;
  }

  private static LeadRecord lead(
      String source, String id, Person person, Random random, boolean crm) {
    String name = name(person, random);
    String email = person.email();
    double roll = random.nextDouble();
    if (roll < 0.10) {
      email = null; // not given
    } else if (roll < 0.18) {
      email =
          person.first().toLowerCase(Locale.ROOT).charAt(0) + "x" + person.number() + "@novo.com";
      email = ascii(email); // changed e-mail: only the other keys can join it
    } else if (roll < 0.20) {
      email = JUNK_EMAILS[random.nextInt(JUNK_EMAILS.length)];
    } else if (roll < 0.22) {
      email = "n/a";
    } else if (roll < 0.50) {
      email = " " + email.toUpperCase(Locale.ROOT) + " ";
    }
    String phone = person.phone();
    roll = random.nextDouble();
    if (roll < 0.15) {
      phone = null;
    } else if (roll < 0.17) {
      phone = JUNK_PHONES[random.nextInt(JUNK_PHONES.length)];
    } else if (roll < 0.19) {
      phone = "123";
    } else {
      phone = formatPhone(phone, random);
    }
    String document = null;
    if (crm && random.nextDouble() < 0.7) {
      document =
          random.nextBoolean()
              ? person.cpf()
              : person.cpf().substring(0, 3)
                  + "."
                  + person.cpf().substring(3, 6)
                  + "."
                  + person.cpf().substring(6, 9)
                  + "-"
                  + person.cpf().substring(9);
    }
    return new LeadRecord(source, id, name, email, phone, document, person.number());
  }

  private static String name(Person person, Random random) {
    String name = person.first() + " " + person.last();
    double roll = random.nextDouble();
    if (roll < 0.2) {
      name = ascii(name);
    } else if (roll < 0.3) {
      name = name.toUpperCase(Locale.ROOT);
    } else if (roll < 0.4) {
      name = person.last() + ", " + person.first();
    } else if (roll < 0.5) {
      name = person.first() + " " + person.last().split(" ")[1]; // one surname only
    }
    if (random.nextDouble() < 0.1) { // a typo: two letters swapped
      int at = 1 + random.nextInt(Math.max(1, name.length() - 3));
      char[] chars = name.toCharArray();
      char swap = chars[at];
      chars[at] = chars[at + 1];
      chars[at + 1] = swap;
      name = new String(chars);
    }
    return random.nextDouble() < 0.05 ? "  " + name.toLowerCase(Locale.ROOT) + " " : name;
  }

  private static String phone(Random random) {
    StringBuilder digits = new StringBuilder(AREAS[random.nextInt(AREAS.length)]).append('9');
    for (int i = 0; i < 8; i++) {
      digits.append(random.nextInt(10));
    }
    return digits.toString();
  }

  private static String formatPhone(String digits, Random random) {
    String area = digits.substring(0, 2);
    String number = digits.substring(2);
    return switch (random.nextInt(5)) {
      case 0 -> "+55 " + area + " " + number.substring(0, 5) + "-" + number.substring(5);
      case 1 -> "(" + area + ") " + number.substring(0, 5) + "-" + number.substring(5);
      case 2 -> area + " " + number;
      case 3 -> "55" + digits;
      default -> digits;
    };
  }

  /** A valid CPF (check digits computed), 11 digits. */
  static String cpf(Random random) {
    int[] digits = new int[11];
    for (int i = 0; i < 9; i++) {
      digits[i] = random.nextInt(10);
    }
    for (int check = 9; check <= 10; check++) {
      int sum = 0;
      for (int i = 0; i < check; i++) {
        sum += digits[i] * (check + 1 - i);
      }
      digits[check] = (sum * 10) % 11 % 10;
    }
    StringBuilder text = new StringBuilder();
    for (int digit : digits) {
      text.append(digit);
    }
    return text.toString();
  }

  private static String ascii(String text) {
    return java.text.Normalizer.normalize(text, java.text.Normalizer.Form.NFKD)
        .replaceAll("\\p{M}", "");
  }
}
