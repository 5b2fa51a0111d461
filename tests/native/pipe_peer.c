// Copyright 2026 the winipc authors. MIT license.
//
// pipe_peer: a plain, blocking Win32 named-pipe program used as the native
// peer in the named-pipe interop tests. It is written the way an ordinary
// Windows program would be (synchronous ReadFile/WriteFile, wide-character
// APIs), so that the library is tested against real-world behaviour.
//
// Build (from the checkout):
//   x86_64-w64-mingw32-gcc -O2 -Wall -o build/pipe_peer.exe tests/native/pipe_peer.c
//
// Usage (NAME is a short pipe name, the full path is \\.\pipe\NAME;
// MODE is "byte" or "message"):
//
//   pipe_peer.exe server NAME MODE COUNT
//     Creates the pipe (one instance), prints "ready", then serves COUNT
//     clients one after another, echoing everything each one sends until it
//     closes (in message mode every message is echoed as one message, a
//     zero-length one included). Prints "done" and exits 0 at the end.
//
//   pipe_peer.exe client NAME MODE SIZES
//     Connects (retrying for up to 10 s), then for each size of the
//     comma-separated list SIZES sends a payload of that size, reads the
//     echo back and prints "ok SIZE", or "mismatch SIZE" and exits 1.
//     Message mode: one WriteFile per payload, one whole message back.
//     Byte mode: the payload goes out in 4096-byte chunks, each chunk's
//     echo being read before the next is written, so that blocking I/O
//     cannot deadlock against the echo (size 0: nothing is sent).
//
// Payload convention: a payload of N bytes has byte i = (i * 7 + N) & 255.
//
// Unexpected errors print "error <what> <GetLastError()>" to stderr and exit 1.
// stdout and stderr are unbuffered and binary, so every line ends in "\n" and
// appears at once.

#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <io.h>
#include <fcntl.h>

#define PIPE_BUFFER_SIZE 65536
#define MAX_PATH_CHARS 512
// Byte-mode client: payloads are sent in chunks of this size, each echoed back
// before the next is sent (see run_client).
#define BYTE_CHUNK 4096

static void fail(const char *what) {
  DWORD err = GetLastError();
  fprintf(stderr, "error %s %lu\n", what, (unsigned long)err);
  exit(1);
}

static void usage(void) {
  fprintf(stderr,
          "usage: pipe_peer server NAME byte|message COUNT\n"
          "       pipe_peer client NAME byte|message SIZE[,SIZE...]\n");
  exit(2);
}

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (p == NULL) {
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    fail("malloc");
  }
  return p;
}

// Makes sure *buf can hold at least `need` bytes, keeping its contents.
static void ensure_capacity(unsigned char **buf, size_t *cap, size_t need) {
  size_t n;
  unsigned char *p;
  if (need <= *cap) return;
  n = *cap ? *cap : PIPE_BUFFER_SIZE;
  while (n < need) n *= 2;
  p = (unsigned char *)realloc(*buf, n);
  if (p == NULL) {
    SetLastError(ERROR_NOT_ENOUGH_MEMORY);
    fail("realloc");
  }
  *buf = p;
  *cap = n;
}

// Builds \\.\pipe\NAME from an argv string.
static void build_path(const char *name, wchar_t *path) {
  static const wchar_t prefix[] = L"\\\\.\\pipe\\";
  size_t plen = wcslen(prefix);
  int n;
  wcscpy(path, prefix);
  n = MultiByteToWideChar(CP_ACP, 0, name, -1, path + plen,
                          (int)(MAX_PATH_CHARS - plen));
  if (n <= 0) fail("MultiByteToWideChar");
}

static int parse_mode(const char *mode) {
  if (strcmp(mode, "message") == 0) return 1;
  if (strcmp(mode, "byte") == 0) return 0;
  usage();
  return 0;
}

static void fill_payload(unsigned char *p, DWORD n) {
  DWORD i;
  for (i = 0; i < n; i++) p[i] = (unsigned char)((i * 7u + n) & 255u);
}

// Reads one whole message into *buf (growing it as needed) and stores its
// length in *len. Returns FALSE with the error left in GetLastError() if
// ReadFile fails with anything other than ERROR_MORE_DATA.
static BOOL read_message(HANDLE h, unsigned char **buf, size_t *cap,
                         size_t *len) {
  *len = 0;
  ensure_capacity(buf, cap, PIPE_BUFFER_SIZE);
  for (;;) {
    DWORD got = 0, left = 0, err;
    size_t room = *cap - *len;
    DWORD want = room > 0x40000000u ? 0x40000000u : (DWORD)room;
    BOOL ok = ReadFile(h, *buf + *len, want, &got, NULL);
    *len += got;
    if (ok) return TRUE;
    err = GetLastError();
    if (err != ERROR_MORE_DATA) {
      SetLastError(err);
      return FALSE;
    }
    if (PeekNamedPipe(h, NULL, 0, NULL, NULL, &left) && left > 0) {
      ensure_capacity(buf, cap, *len + left);
    } else {
      ensure_capacity(buf, cap, *len + PIPE_BUFFER_SIZE);
    }
  }
}

// Writes all of data, looping on partial writes (byte mode).
static void write_all(HANDLE h, const unsigned char *data, size_t n) {
  size_t off = 0;
  while (off < n) {
    DWORD wrote = 0;
    size_t chunk = n - off;
    DWORD want = chunk > 0x40000000u ? 0x40000000u : (DWORD)chunk;
    if (!WriteFile(h, data + off, want, &wrote, NULL)) fail("WriteFile");
    off += wrote;
  }
}

// ---------------------------------------------------------------------------
// server

static void serve_client(HANDLE pipe, int message) {
  size_t cap = PIPE_BUFFER_SIZE, len;
  unsigned char *buf = (unsigned char *)xmalloc(cap);
  for (;;) {
    if (message) {
      DWORD wrote = 0;
      if (!read_message(pipe, &buf, &cap, &len)) {
        if (GetLastError() == ERROR_BROKEN_PIPE) break;
        fail("ReadFile");
      }
      // One message back, with one WriteFile (zero bytes for an empty one).
      if (!WriteFile(pipe, buf, (DWORD)len, &wrote, NULL)) fail("WriteFile");
      if (wrote != (DWORD)len) {
        SetLastError(ERROR_WRITE_FAULT);
        fail("WriteFile-partial");
      }
    } else {
      DWORD got = 0;
      if (!ReadFile(pipe, buf, (DWORD)cap, &got, NULL)) {
        if (GetLastError() == ERROR_BROKEN_PIPE) break;
        fail("ReadFile");
      }
      write_all(pipe, buf, got);
    }
  }
  free(buf);
}

static int run_server(const char *name, const char *mode_arg,
                      const char *count_arg) {
  wchar_t path[MAX_PATH_CHARS];
  int message = parse_mode(mode_arg);
  char *end = NULL;
  long count = strtol(count_arg, &end, 10);
  DWORD type;
  HANDLE pipe;
  long served;

  if (end == count_arg || *end != '\0' || count < 0) usage();
  build_path(name, path);

  type = message ? (PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE)
                 : (PIPE_TYPE_BYTE | PIPE_READMODE_BYTE);
  pipe = CreateNamedPipeW(path, PIPE_ACCESS_DUPLEX, type | PIPE_WAIT, 1,
                          PIPE_BUFFER_SIZE, PIPE_BUFFER_SIZE, 0, NULL);
  if (pipe == INVALID_HANDLE_VALUE) fail("CreateNamedPipeW");
  printf("ready\n");
  fflush(stdout);

  for (served = 0; served < count; served++) {
    BOOL connected = ConnectNamedPipe(pipe, NULL);
    if (!connected) {
      DWORD err = GetLastError();
      if (err == ERROR_PIPE_CONNECTED) {
        connected = TRUE;
      } else if (err != ERROR_NO_DATA) {
        // ERROR_NO_DATA: the client connected and already closed its end;
        // it still counts as served.
        fail("ConnectNamedPipe");
      }
    }
    if (connected) serve_client(pipe, message);
    if (!FlushFileBuffers(pipe)) {
      DWORD err = GetLastError();
      // The client is gone by now; a flush may report that, which is fine.
      if (err != ERROR_BROKEN_PIPE && err != ERROR_PIPE_NOT_CONNECTED &&
          err != ERROR_NO_DATA) {
        fail("FlushFileBuffers");
      }
    }
    if (!DisconnectNamedPipe(pipe)) fail("DisconnectNamedPipe");
  }

  if (!CloseHandle(pipe)) fail("CloseHandle");
  printf("done\n");
  fflush(stdout);
  return 0;
}

// ---------------------------------------------------------------------------
// client

static HANDLE connect_pipe(const wchar_t *path) {
  ULONGLONG deadline = GetTickCount64() + 10000;
  for (;;) {
    DWORD err;
    HANDLE h = CreateFileW(path, GENERIC_READ | GENERIC_WRITE, 0, NULL,
                           OPEN_EXISTING, 0, NULL);
    if (h != INVALID_HANDLE_VALUE) return h;
    err = GetLastError();
    if (GetTickCount64() >= deadline) {
      SetLastError(err);
      fail("CreateFileW");
    }
    if (err == ERROR_PIPE_BUSY) {
      WaitNamedPipeW(path, 1000);  // Failure (timeout, gone) just retries.
    } else if (err == ERROR_FILE_NOT_FOUND) {
      Sleep(20);
    } else {
      SetLastError(err);
      fail("CreateFileW");
    }
  }
}

static int run_client(const char *name, const char *mode_arg,
                      const char *sizes_arg) {
  wchar_t path[MAX_PATH_CHARS];
  int message = parse_mode(mode_arg);
  const char *p = sizes_arg;
  size_t cap = PIPE_BUFFER_SIZE;
  unsigned char *echo = (unsigned char *)xmalloc(cap);
  HANDLE h;

  // Validate the whole list before connecting.
  for (;;) {
    char *end = NULL;
    unsigned long v = strtoul(p, &end, 10);
    if (end == p || (*end != ',' && *end != '\0') || v > 0x40000000ul) usage();
    if (*end == '\0') break;
    p = end + 1;
  }

  build_path(name, path);
  h = connect_pipe(path);

  if (message) {
    DWORD state = PIPE_READMODE_MESSAGE;
    if (!SetNamedPipeHandleState(h, &state, NULL, NULL)) {
      fail("SetNamedPipeHandleState");
    }
  }

  p = sizes_arg;
  for (;;) {
    char *end = NULL;
    DWORD size = (DWORD)strtoul(p, &end, 10);
    unsigned char *payload = (unsigned char *)xmalloc(size);
    size_t len = 0;

    fill_payload(payload, size);

    if (message) {
      DWORD wrote = 0;
      if (!WriteFile(h, payload, size, &wrote, NULL)) fail("WriteFile");
      if (wrote != size) {
        SetLastError(ERROR_WRITE_FAULT);
        fail("WriteFile-partial");
      }
      if (!read_message(h, &echo, &cap, &len)) fail("ReadFile");
    } else {
      // Lockstep: send a chunk, read its whole echo, send the next one. A
      // single blocking WriteFile of a payload larger than the pipe buffers
      // would deadlock against an echoing peer (its echo writes block on our
      // full inbound buffer while we are still blocked writing). A chunk no
      // larger than the peer's out-buffer is always fully buffered.
      size_t off = 0;
      ensure_capacity(&echo, &cap, size);
      while (off < size) {
        size_t chunk = size - off > BYTE_CHUNK ? BYTE_CHUNK : size - off;
        write_all(h, payload + off, chunk);
        off += chunk;
        while (len < off) {
          DWORD got = 0;
          if (!ReadFile(h, echo + len, (DWORD)(off - len), &got, NULL)) {
            fail("ReadFile");
          }
          len += got;
        }
      }
    }

    if (len != size || (size > 0 && memcmp(echo, payload, size) != 0)) {
      printf("mismatch %lu\n", (unsigned long)size);
      fflush(stdout);
      return 1;
    }
    printf("ok %lu\n", (unsigned long)size);
    fflush(stdout);
    free(payload);

    if (*end == '\0') break;
    p = end + 1;
  }

  free(echo);
  if (!CloseHandle(h)) fail("CloseHandle");
  return 0;
}

int main(int argc, char **argv) {
  _setmode(_fileno(stdout), _O_BINARY);
  _setmode(_fileno(stderr), _O_BINARY);
  setvbuf(stdout, NULL, _IONBF, 0);

  if (argc != 5) usage();
  if (strcmp(argv[1], "server") == 0) {
    return run_server(argv[2], argv[3], argv[4]);
  }
  if (strcmp(argv[1], "client") == 0) {
    return run_client(argv[2], argv[3], argv[4]);
  }
  usage();
  return 2;
}
