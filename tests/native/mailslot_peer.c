// Copyright 2026 the winipc authors. MIT license.
//
// mailslot_peer: a classic Win32 mailslot client and server used by the
// mailslot interop tests. It is written the way an ordinary Windows program
// is (ANSI APIs, plain blocking ReadFile/WriteFile, the server polling
// GetMailslotInfo), so the library is tested against real-world behaviour.
//
// Build (from the checkout):
//   x86_64-w64-mingw32-gcc -O2 -Wall -o build/mailslot_peer.exe tests/native/mailslot_peer.c
//
// Usage (NAME is the full mailslot path, e.g. \\.\mailslot\winipc-test;
// arguments are plain ASCII):
//
//   mailslot_peer.exe write NAME COUNT TEXT
//     Opens the mailslot as a client and sends COUNT messages; message i
//     (from 0) is the string "TEXT i", sent with its terminating NUL (as
//     classic C senders do), e.g. "hello 0\0" (8 bytes). Prints "sent COUNT".
//   mailslot_peer.exe write-sizes NAME SIZES
//     Opens the mailslot as a client and, for each size S of the
//     comma-separated list SIZES (0 allowed), sends one message of S bytes,
//     byte j being (j * 7 + S) & 255. Prints "sent N" (N: the number of
//     messages).
//   mailslot_peer.exe read NAME COUNT
//     Creates the mailslot (no size limit, read timeout
//     MAILSLOT_WAIT_FOREVER), prints "ready", then receives COUNT messages
//     the classic way: GetMailslotInfo is polled (Sleep(1) while there is no
//     message) and each message is read with one ReadFile into a buffer of
//     the announced size. For each message prints "got LEN: TEXT", LEN being
//     its size in bytes and TEXT its bytes with one trailing NUL removed (if
//     there is one) and every other byte below 0x20 or from 0x7f up written
//     as \xHH (two lowercase hex digits). Exits 0 after COUNT messages; if
//     one does not arrive within 20 s of waiting for it, prints "timeout" to
//     stderr and exits 1.
//   mailslot_peer.exe hold NAME
//     Creates the mailslot (no size limit, read timeout 0), prints "ready",
//     then reads stdin to its end and exits 0 (keeps the name taken).
//
// Every line printed ends in "\n" and is flushed at once.
//
// Unexpected errors print "mailslot_peer: WHAT failed (error N)" to stderr
// and exit 1; usage errors exit 2.

#include <windows.h>
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define READ_TIMEOUT_MS 20000

static void die(const char *what) {
  fprintf(stderr, "mailslot_peer: %s failed (error %lu)\n", what, GetLastError());
  exit(1);
}

static void usage(void) {
  fprintf(stderr,
          "usage: mailslot_peer.exe write NAME COUNT TEXT\n"
          "       mailslot_peer.exe write-sizes NAME SIZE[,SIZE...]\n"
          "       mailslot_peer.exe read NAME COUNT\n"
          "       mailslot_peer.exe hold NAME\n");
  exit(2);
}

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (p == NULL) {
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    die("malloc");
  }
  return p;
}

// A decimal count: digits only, at most 2^32 - 1.
static DWORD parse_count(const char *text) {
  char *end = NULL;
  unsigned long long v;
  if (text[0] < '0' || text[0] > '9') usage();
  v = strtoull(text, &end, 10);
  if (*end != '\0' || v > 0xffffffffull) usage();
  return (DWORD)v;
}

static void print_line(const char *s) {
  fputs(s, stdout);
  fputs("\n", stdout);
  fflush(stdout);
}

// Opens the mailslot NAME for writing, the classic client way.
static HANDLE open_client(const char *name) {
  HANDLE h = CreateFileA(name, GENERIC_WRITE, FILE_SHARE_READ, NULL, OPEN_EXISTING,
                         FILE_ATTRIBUTE_NORMAL, NULL);
  if (h == INVALID_HANDLE_VALUE) die("CreateFileA");
  return h;
}

// Sends one message of n bytes (one WriteFile).
static void send_message(HANDLE h, const void *data, DWORD n) {
  DWORD wrote = 0;
  if (!WriteFile(h, data, n, &wrote, NULL)) die("WriteFile");
  if (wrote != n) {
    SetLastError(ERROR_WRITE_FAULT);
    die("WriteFile (short write)");
  }
}

// ---------------------------------------------------------------------------
// commands

static int run_write(const char *name, const char *count_text, const char *text) {
  DWORD count = parse_count(count_text), i;
  size_t cap = strlen(text) + 16;
  char *msg = (char *)xmalloc(cap);
  HANDLE h = open_client(name);
  for (i = 0; i < count; i++) {
    snprintf(msg, cap, "%s %lu", text, (unsigned long)i);
    send_message(h, msg, (DWORD)strlen(msg) + 1);
  }
  CloseHandle(h);
  free(msg);
  printf("sent %lu\n", (unsigned long)count);
  fflush(stdout);
  return 0;
}

static int run_write_sizes(const char *name, const char *sizes) {
  const char *p = sizes;
  DWORD n = 0;
  HANDLE h;
  // Check the whole list before sending anything.
  for (;;) {
    char *end = NULL;
    unsigned long long s;
    if (*p < '0' || *p > '9') usage();
    s = strtoull(p, &end, 10);
    if (s > 0x7fffffffull) usage();
    p = end;
    if (*p == '\0') break;
    if (*p != ',') usage();
    p++;
  }
  h = open_client(name);
  p = sizes;
  for (;;) {
    char *end = NULL;
    DWORD s = (DWORD)strtoull(p, &end, 10), j;
    unsigned char *buf = (unsigned char *)xmalloc(s);
    for (j = 0; j < s; j++) buf[j] = (unsigned char)((j * 7 + s) & 255);
    send_message(h, buf, s);
    free(buf);
    n++;
    p = end;
    if (*p == '\0') break;
    p++;
  }
  CloseHandle(h);
  printf("sent %lu\n", (unsigned long)n);
  fflush(stdout);
  return 0;
}

// Prints "got LEN: TEXT" for a message (see the top of the file).
static void print_message(const unsigned char *buf, DWORD len) {
  DWORD shown = len, i;
  if (shown > 0 && buf[shown - 1] == 0) shown--;
  printf("got %lu: ", (unsigned long)len);
  for (i = 0; i < shown; i++) {
    if (buf[i] < 0x20 || buf[i] >= 0x7f) {
      printf("\\x%02x", buf[i]);
    } else {
      putchar(buf[i]);
    }
  }
  putchar('\n');
  fflush(stdout);
}

static int run_read(const char *name, const char *count_text) {
  DWORD count = parse_count(count_text), i;
  HANDLE h = CreateMailslotA(name, 0, MAILSLOT_WAIT_FOREVER, NULL);
  if (h == INVALID_HANDLE_VALUE) die("CreateMailslotA");
  print_line("ready");
  for (i = 0; i < count; i++) {
    DWORD start = GetTickCount(), next = 0, pending = 0, got = 0;
    unsigned char *buf;
    for (;;) {
      if (!GetMailslotInfo(h, NULL, &next, &pending, NULL)) die("GetMailslotInfo");
      if (next != MAILSLOT_NO_MESSAGE) break;
      if (GetTickCount() - start >= READ_TIMEOUT_MS) {
        fprintf(stderr, "timeout\n");
        exit(1);
      }
      Sleep(1);
    }
    buf = (unsigned char *)xmalloc(next);
    if (!ReadFile(h, buf, next ? next : 1, &got, NULL)) die("ReadFile");
    print_message(buf, got);
    free(buf);
  }
  CloseHandle(h);
  return 0;
}

static int run_hold(const char *name) {
  HANDLE h = CreateMailslotA(name, 0, 0, NULL);
  HANDLE in;
  char buf[256];
  DWORD got;
  if (h == INVALID_HANDLE_VALUE) die("CreateMailslotA");
  print_line("ready");
  in = GetStdHandle(STD_INPUT_HANDLE);
  if (in == INVALID_HANDLE_VALUE || in == NULL) die("GetStdHandle");
  for (;;) {
    if (!ReadFile(in, buf, sizeof buf, &got, NULL)) {
      if (GetLastError() == ERROR_BROKEN_PIPE) break;
      die("ReadFile (stdin)");
    }
    if (got == 0) break;
  }
  CloseHandle(h);
  return 0;
}

int main(int argc, char **argv) {
  const char *cmd;
  _setmode(_fileno(stdout), _O_BINARY);
  _setmode(_fileno(stderr), _O_BINARY);

  if (argc < 3) usage();
  cmd = argv[1];
  if (strcmp(cmd, "write") == 0 && argc == 5) return run_write(argv[2], argv[3], argv[4]);
  if (strcmp(cmd, "write-sizes") == 0 && argc == 4) return run_write_sizes(argv[2], argv[3]);
  if (strcmp(cmd, "read") == 0 && argc == 4) return run_read(argv[2], argv[3]);
  if (strcmp(cmd, "hold") == 0 && argc == 3) return run_hold(argv[2]);
  usage();
  return 2;
}
