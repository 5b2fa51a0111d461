// Copyright 2026 the winipc authors. MIT license.
//
// pipe_child: a classic Win32 child process used by the anonymous-pipe tests.
// It is written the way an ordinary Windows program is: the standard handles
// come from GetStdHandle and all data goes through plain blocking
// ReadFile/WriteFile (no OVERLAPPED, no C stdio), so the library is tested
// against real-world behaviour.
//
// Build (from the checkout):
//   x86_64-w64-mingw32-gcc -O2 -Wall -o build/pipe_child.exe tests/native/pipe_child.c
//
// Usage (the first argument is the command):
//
//   pipe_child.exe cat
//     Copies stdin to stdout until end of input, in reads of 64 KiB.
//   pipe_child.exe count
//     Reads stdin to its end, then prints "count N sum S": N is the number of
//     bytes, S the sum of all bytes modulo 2^32 (both decimal).
//   pipe_child.exe upper
//     Like cat, with ASCII a-z turned into A-Z.
//   pipe_child.exe write-handle VALUE TEXT
//     Writes TEXT to the inherited handle whose decimal value is VALUE,
//     closes it and prints "wrote N" (N: bytes written).
//   pipe_child.exe read-handle VALUE
//     Reads the inherited handle VALUE to its end and prints
//     "read N: BYTES" (the bytes as they came).
//   pipe_child.exe stderr TEXT
//     Writes TEXT to stderr and "out" to stdout, then exits with status 3.
//   pipe_child.exe gen N
//     Writes N bytes to stdout, byte i being (i * 7) & 255, in writes of
//     64 KiB (a producer for pipelines).
//   pipe_child.exe sleep MS
//     Sleeps MS milliseconds, then exits 0 (for kill tests).
//   pipe_child.exe env NAME
//     Prints the value of the environment variable NAME, or "<unset>".
//   pipe_child.exe args [ARG...]
//     Prints every ARG on a line of its own, exactly as received.
//   pipe_child.exe cwd
//     Prints the current directory.
//
// Every line printed ends in "\n"; text is UTF-8. End of input is ReadFile
// failing with ERROR_BROKEN_PIPE, or succeeding with 0 bytes.
//
// Arguments: the build passes no extra libraries or flags, so the program
// does not rely on CommandLineToArgvW (shell32) nor on -municode; it splits
// GetCommandLineW itself, following Microsoft's "Parsing C command-line
// arguments" rules as the modern (2008 and later, UCRT) C runtime applies them:
//   - arguments are separated by spaces and tabs outside double quotes;
//   - the program name (first token) has no escapes: a double quote toggles
//     quoting and is dropped, and the name ends at the first space or tab
//     outside quotes;
//   - after it, backslashes are literal unless they precede a double quote:
//     2n backslashes + " give n backslashes and the quote toggles quoting,
//     2n+1 backslashes + " give n backslashes and a literal ";
//   - inside quotes, "" gives a literal " and quoting goes on;
//   - "" outside quotes gives an empty argument (or nothing, inside one).
// Every argument, the command included, comes from this parser, converted to
// UTF-8 (TEXT arguments are written as UTF-8).
//
// Unexpected errors print "pipe_child: WHAT failed (error N)" to stderr and
// exit 1; usage errors exit 2.

#include <windows.h>
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IO_CHUNK 65536

static void die(const char *what) {
  fprintf(stderr, "pipe_child: %s failed (error %lu)\n", what, GetLastError());
  exit(1);
}

static void usage(void) {
  fprintf(stderr,
          "usage: pipe_child.exe cat | count | upper\n"
          "       pipe_child.exe write-handle VALUE TEXT | read-handle VALUE\n"
          "       pipe_child.exe stderr TEXT | sleep MS | env NAME\n"
          "       pipe_child.exe args [ARG...] | cwd\n");
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

static HANDLE std_handle(DWORD which) {
  HANDLE h = GetStdHandle(which);
  if (h == INVALID_HANDLE_VALUE) die("GetStdHandle");
  return h;
}

// Writes all of data, looping on partial writes.
static void write_all(HANDLE h, const void *data, size_t n) {
  const char *p = (const char *)data;
  while (n > 0) {
    DWORD wrote = 0;
    DWORD want = n > 0x40000000u ? 0x40000000u : (DWORD)n;
    if (!WriteFile(h, p, want, &wrote, NULL)) die("WriteFile");
    p += wrote;
    n -= wrote;
  }
}

static void write_str(HANDLE h, const char *s) { write_all(h, s, strlen(s)); }

// Reads up to n bytes; returns the count, 0 at end of input.
static DWORD read_some(HANDLE h, void *buf, DWORD n) {
  DWORD got = 0;
  if (!ReadFile(h, buf, n, &got, NULL)) {
    if (GetLastError() == ERROR_BROKEN_PIPE) return 0;
    die("ReadFile");
  }
  return got;
}

// Decimal text of v, in buf (at least 21 bytes); returns buf.
static char *u64_text(unsigned long long v, char *buf) {
  char tmp[21];
  int n = 0, i = 0;
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v > 0);
  while (n > 0) buf[i++] = tmp[--n];
  buf[i] = '\0';
  return buf;
}

// UTF-8 copy of a wide string of len characters (-1: NUL-terminated);
// the result is NUL-terminated and its byte length stored in *out_len.
static char *to_utf8(const wchar_t *w, int len, size_t *out_len) {
  int n;
  char *s;
  if (len < 0) len = (int)wcslen(w);
  if (len == 0) {
    s = (char *)xmalloc(1);
    s[0] = '\0';
    if (out_len) *out_len = 0;
    return s;
  }
  n = WideCharToMultiByte(CP_UTF8, 0, w, len, NULL, 0, NULL, NULL);
  if (n <= 0) die("WideCharToMultiByte");
  s = (char *)xmalloc((size_t)n + 1);
  if (WideCharToMultiByte(CP_UTF8, 0, w, len, s, n, NULL, NULL) != n) {
    die("WideCharToMultiByte");
  }
  s[n] = '\0';
  if (out_len) *out_len = (size_t)n;
  return s;
}

// Prints a wide string as UTF-8, followed by "\n".
static void print_wide_line(const wchar_t *w, int len) {
  HANDLE out = std_handle(STD_OUTPUT_HANDLE);
  size_t n;
  char *s = to_utf8(w, len, &n);
  write_all(out, s, n);
  write_all(out, "\n", 1);
  free(s);
}

// ---------------------------------------------------------------------------
// command line (see the rules at the top)

static int is_blank(wchar_t c) { return c == L' ' || c == L'\t'; }

// Splits cmd into *argc NUL-terminated wide strings.
static wchar_t **split_command_line(const wchar_t *cmd, int *argc) {
  size_t len = wcslen(cmd);
  // Every argument takes at most the characters it came from plus a NUL,
  // and there are at most len / 2 + 1 arguments besides the program name.
  wchar_t **argv = (wchar_t **)xmalloc((len / 2 + 3) * sizeof *argv);
  wchar_t *out = (wchar_t *)xmalloc((2 * len + 2) * sizeof *out);
  const wchar_t *p = cmd;
  int n = 0, quoted = 0;

  // The program name: quotes toggle quoting, no escapes.
  argv[n++] = out;
  while (*p != L'\0' && (quoted || !is_blank(*p))) {
    if (*p == L'"') {
      quoted = !quoted;
    } else {
      *out++ = *p;
    }
    p++;
  }
  *out++ = L'\0';

  for (;;) {
    while (is_blank(*p)) p++;
    if (*p == L'\0') break;
    argv[n++] = out;
    quoted = 0;
    while (*p != L'\0' && (quoted || !is_blank(*p))) {
      if (*p == L'\\') {
        size_t k = 0, i;
        while (p[k] == L'\\') k++;
        if (p[k] == L'"') {
          for (i = 0; i < k / 2; i++) *out++ = L'\\';
          p += k;
          if (k % 2 == 1) {
            *out++ = L'"';
            p++;
          }
          // With an even count the quote is handled by the next round.
        } else {
          for (i = 0; i < k; i++) *out++ = L'\\';
          p += k;
        }
      } else if (*p == L'"') {
        if (quoted && p[1] == L'"') {
          *out++ = L'"';
          p += 2;
        } else {
          quoted = !quoted;
          p++;
        }
      } else {
        *out++ = *p++;
      }
    }
    *out++ = L'\0';
  }
  argv[n] = NULL;
  *argc = n;
  return argv;
}

// ---------------------------------------------------------------------------
// commands

// cat (upper = 0) and upper (upper = 1).
static int run_copy(int upper) {
  HANDLE in = std_handle(STD_INPUT_HANDLE);
  HANDLE out = std_handle(STD_OUTPUT_HANDLE);
  char *buf = (char *)xmalloc(IO_CHUNK);
  DWORD got, i;
  while ((got = read_some(in, buf, IO_CHUNK)) > 0) {
    if (upper) {
      for (i = 0; i < got; i++) {
        if (buf[i] >= 'a' && buf[i] <= 'z') buf[i] = (char)(buf[i] - 'a' + 'A');
      }
    }
    write_all(out, buf, got);
  }
  free(buf);
  return 0;
}

static int run_count(void) {
  HANDLE in = std_handle(STD_INPUT_HANDLE);
  unsigned char *buf = (unsigned char *)xmalloc(IO_CHUNK);
  unsigned long long count = 0;
  unsigned int sum = 0;  // wraps modulo 2^32
  char line[80], num[21];
  DWORD got, i;
  while ((got = read_some(in, buf, IO_CHUNK)) > 0) {
    count += got;
    for (i = 0; i < got; i++) sum += buf[i];
  }
  strcpy(line, "count ");
  strcat(line, u64_text(count, num));
  strcat(line, " sum ");
  strcat(line, u64_text(sum, num));
  strcat(line, "\n");
  write_str(std_handle(STD_OUTPUT_HANDLE), line);
  free(buf);
  return 0;
}

static HANDLE parse_handle(const char *text) {
  char *end = NULL;
  unsigned long long v = strtoull(text, &end, 10);
  if (end == text || *end != '\0') usage();
  return (HANDLE)(ULONG_PTR)v;
}

static int run_write_handle(const char *value, const char *text) {
  HANDLE h = parse_handle(value);
  size_t n = strlen(text);
  char line[40], num[21];
  write_all(h, text, n);
  if (!CloseHandle(h)) die("CloseHandle");
  strcpy(line, "wrote ");
  strcat(line, u64_text(n, num));
  strcat(line, "\n");
  write_str(std_handle(STD_OUTPUT_HANDLE), line);
  return 0;
}

static int run_read_handle(const char *value) {
  HANDLE h = parse_handle(value);
  HANDLE out = std_handle(STD_OUTPUT_HANDLE);
  size_t cap = IO_CHUNK, len = 0;
  char *buf = (char *)xmalloc(cap);
  char head[40], num[21];
  DWORD got;
  for (;;) {
    if (cap - len < IO_CHUNK) {
      char *p = (char *)realloc(buf, cap * 2);
      if (p == NULL) {
        SetLastError(ERROR_NOT_ENOUGH_MEMORY);
        die("realloc");
      }
      buf = p;
      cap *= 2;
    }
    got = read_some(h, buf + len, IO_CHUNK);
    if (got == 0) break;
    len += got;
  }
  CloseHandle(h);
  strcpy(head, "read ");
  strcat(head, u64_text(len, num));
  strcat(head, ": ");
  write_str(out, head);
  write_all(out, buf, len);
  write_all(out, "\n", 1);
  free(buf);
  return 0;
}

static int run_stderr(const char *text) {
  write_str(std_handle(STD_ERROR_HANDLE), text);
  write_str(std_handle(STD_OUTPUT_HANDLE), "out\n");
  return 3;
}

static int run_gen(const char *n_text) {
  char *end = NULL;
  unsigned long long n = strtoull(n_text, &end, 10), i = 0;
  if (end == n_text || *end != '\0') usage();
  HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
  unsigned char *buf = (unsigned char *)xmalloc(65536);
  while (i < n) {
    size_t k = 0;
    for (; k < 65536 && i < n; k++, i++) buf[k] = (unsigned char)((i * 7) & 255);
    write_all(out, buf, k);
  }
  free(buf);
  return 0;
}

static int run_sleep(const char *ms_text) {
  char *end = NULL;
  unsigned long ms = strtoul(ms_text, &end, 10);
  if (end == ms_text || *end != '\0') usage();
  Sleep((DWORD)ms);
  return 0;
}

static int run_env(const wchar_t *name) {
  DWORD cap = 256, n;
  wchar_t *buf = (wchar_t *)xmalloc(cap * sizeof *buf);
  for (;;) {
    SetLastError(ERROR_SUCCESS);
    n = GetEnvironmentVariableW(name, buf, cap);
    if (n == 0) {
      DWORD err = GetLastError();
      if (err == ERROR_ENVVAR_NOT_FOUND) {
        write_str(std_handle(STD_OUTPUT_HANDLE), "<unset>\n");
        free(buf);
        return 0;
      }
      if (err != ERROR_SUCCESS) die("GetEnvironmentVariableW");
      break;  // set, and empty
    }
    if (n < cap) break;
    cap = n;  // n counts the terminating NUL here
    free(buf);
    buf = (wchar_t *)xmalloc(cap * sizeof *buf);
  }
  print_wide_line(buf, (int)n);
  free(buf);
  return 0;
}

static int run_cwd(void) {
  DWORD cap = GetCurrentDirectoryW(0, NULL), n;
  wchar_t *buf;
  if (cap == 0) die("GetCurrentDirectoryW");
  buf = (wchar_t *)xmalloc(cap * sizeof *buf);
  n = GetCurrentDirectoryW(cap, buf);
  if (n == 0 || n >= cap) die("GetCurrentDirectoryW");
  print_wide_line(buf, (int)n);
  free(buf);
  return 0;
}

int main(void) {
  int argc, i;
  wchar_t **wargv;
  char **argv;
  const char *cmd;

  _setmode(_fileno(stdout), _O_BINARY);
  _setmode(_fileno(stderr), _O_BINARY);

  wargv = split_command_line(GetCommandLineW(), &argc);
  argv = (char **)xmalloc(((size_t)argc + 1) * sizeof *argv);
  for (i = 0; i < argc; i++) argv[i] = to_utf8(wargv[i], -1, NULL);
  argv[argc] = NULL;

  if (argc < 2) usage();
  cmd = argv[1];
  if (strcmp(cmd, "cat") == 0 && argc == 2) return run_copy(0);
  if (strcmp(cmd, "upper") == 0 && argc == 2) return run_copy(1);
  if (strcmp(cmd, "count") == 0 && argc == 2) return run_count();
  if (strcmp(cmd, "write-handle") == 0 && argc == 4) {
    return run_write_handle(argv[2], argv[3]);
  }
  if (strcmp(cmd, "read-handle") == 0 && argc == 3) return run_read_handle(argv[2]);
  if (strcmp(cmd, "stderr") == 0 && argc == 3) return run_stderr(argv[2]);
  if (strcmp(cmd, "sleep") == 0 && argc == 3) return run_sleep(argv[2]);
  if (strcmp(cmd, "gen") == 0 && argc == 3) return run_gen(argv[2]);
  if (strcmp(cmd, "env") == 0 && argc == 3) return run_env(wargv[2]);
  if (strcmp(cmd, "cwd") == 0 && argc == 2) return run_cwd();
  if (strcmp(cmd, "args") == 0) {
    for (i = 2; i < argc; i++) print_wide_line(wargv[i], -1);
    return 0;
  }
  usage();
  return 2;
}
