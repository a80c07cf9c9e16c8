package io.lagoa.testing;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * Runs a server's main class in a child JVM and ends that JVM when its standard input closes, which
 * happens when the test JVM that started it exits or is killed: no server outlives its tests.
 * Arguments: the main class, then its own arguments. Uses only the JDK, so it can share a class
 * path with anything.
 */
public final class ChildProcessMain {
  private ChildProcessMain() {}

  public static void main(String[] args) throws Exception {
    Thread watchdog =
        new Thread(
            () -> {
              InputStream in = System.in;
              try {
                while (in.read() != -1) {
                  // nothing is ever sent; read until the parent closes the pipe
                }
              } catch (IOException e) {
                // a broken pipe means the same: the parent is gone
              }
              Runtime.getRuntime().halt(0);
            },
            "parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    Method main = Class.forName(args[0]).getMethod("main", String[].class);
    main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
  }
}
