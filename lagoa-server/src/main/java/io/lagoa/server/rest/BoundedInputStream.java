package io.lagoa.server.rest;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A body stream that fails with 413 once more than the limit has been read, so a body sent in
 * chunks, without a Content-Length, cannot make the server read without end.
 */
final class BoundedInputStream extends FilterInputStream {
  private final long limit;
  private long read;

  BoundedInputStream(InputStream in, long limit) {
    super(in);
    this.limit = limit;
  }

  @Override
  public int read() throws IOException {
    int value = super.read();
    if (value >= 0) {
      count(1);
    }
    return value;
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    int n = super.read(buffer, offset, length);
    if (n > 0) {
      count(n);
    }
    return n;
  }

  private void count(long n) {
    read += n;
    if (read > limit) {
      throw new PayloadTooLargeException(limit);
    }
  }
}
