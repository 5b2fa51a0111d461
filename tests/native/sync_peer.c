// Copyright 2026 the winipc authors. MIT license.
//
// sync_peer: a classic Win32 program using named synchronization objects
// (events, semaphores, mutexes, waitable timers), used by the synchronization
// interop tests. It is written the way an ordinary Windows program is
// (OpenEventW / OpenSemaphoreW / CreateMutexW / OpenWaitableTimerW and
// WaitForSingleObject), so the library is tested against real-world
// behaviour.
//
// Build (from the checkout):
//   x86_64-w64-mingw32-gcc -O2 -Wall -o build/sync_peer.exe tests/native/sync_peer.c
//
// Usage (NAME and MAPPING are object names, e.g. Local\winipc-test; arguments
// are plain ASCII; TIMEOUT_MS 4294967295 means INFINITE):
//
//   sync_peer.exe set-event NAME
//     Opens the event with EVENT_MODIFY_STATE, sets it and prints "set".
//   sync_peer.exe pulse-events NAME COUNT MS
//     Opens the event with EVENT_MODIFY_STATE, then COUNT times sleeps MS
//     milliseconds and sets it. Prints "done".
//   sync_peer.exe wait-event NAME TIMEOUT_MS
//     Opens the event with SYNCHRONIZE, prints "ready", waits for it and
//     prints "signaled" or "timeout".
//   sync_peer.exe release-sem NAME COUNT
//     Opens the semaphore with SEMAPHORE_MODIFY_STATE, releases it COUNT
//     times at once and prints "previous P" (P: the count before). A failed
//     release (e.g. past the maximum: error 298) is an unexpected error.
//   sync_peer.exe acquire-sem NAME TIMEOUT_MS
//     Opens the semaphore with SYNCHRONIZE, prints "ready", waits for it and
//     prints "acquired" or "timeout".
//   sync_peer.exe hold-mutex NAME
//     Creates or opens the mutex (CreateMutexW, not initially owned), waits
//     for it and prints "acquired" (or "abandoned" if its previous owner
//     died holding it), then "holding"; reads stdin to its end, releases the
//     mutex, prints "released" and exits 0.
//   sync_peer.exe die-holding-mutex NAME
//     Acquires the mutex as above, prints "holding" and exits 7 without
//     releasing it, so the mutex becomes abandoned.
//   sync_peer.exe increment NAME MAPPING COUNT
//     Creates or opens the mutex NAME and opens the page-file mapping
//     MAPPING (FILE_MAP_ALL_ACCESS, 8 bytes mapped). COUNT times: acquires
//     the mutex (abandoned counts as acquired), adds one to the 32-bit
//     little-endian counter at offset 0 with a plain read and write, and
//     releases the mutex. Prints "done".
//   sync_peer.exe timer NAME
//     Opens the waitable timer with SYNCHRONIZE, prints "ready", waits for it
//     without a time limit and prints "fired".
//   sync_peer.exe create KIND NAME
//     KIND is event, semaphore, mutex or timer. Creates the object
//     (CreateEventW auto-reset, CreateSemaphoreW 0 of 1, CreateMutexW not
//     owned, CreateWaitableTimerW auto-reset) and prints "created", or
//     "existed" if GetLastError says ERROR_ALREADY_EXISTS; then reads stdin
//     to its end, closes the handle and exits 0.
//
// Every line printed ends in "\n" and is flushed at once.
//
// Unexpected errors print "sync_peer: WHAT failed (error N)" to stderr and
// exit 1; usage errors exit 2.

#include <windows.h>
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_CHARS 512

static void die(const char *what) {
  fprintf(stderr, "sync_peer: %s failed (error %lu)\n", what, GetLastError());
  exit(1);
}

static void usage(void) {
  fprintf(stderr,
          "usage: sync_peer.exe set-event NAME\n"
          "       sync_peer.exe pulse-events NAME COUNT MS\n"
          "       sync_peer.exe wait-event NAME TIMEOUT_MS\n"
          "       sync_peer.exe release-sem NAME COUNT\n"
          "       sync_peer.exe acquire-sem NAME TIMEOUT_MS\n"
          "       sync_peer.exe hold-mutex NAME\n"
          "       sync_peer.exe die-holding-mutex NAME\n"
          "       sync_peer.exe increment NAME MAPPING COUNT\n"
          "       sync_peer.exe timer NAME\n");
  exit(2);
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

// Converts the ASCII name to UTF-16 in out (NAME_MAX_CHARS wide characters).
static void to_wide(const char *name, WCHAR *out) {
  if (MultiByteToWideChar(CP_ACP, 0, name, -1, out, NAME_MAX_CHARS) == 0)
    die("MultiByteToWideChar");
}

static HANDLE open_event(const char *name, DWORD access) {
  WCHAR wname[NAME_MAX_CHARS];
  HANDLE h;
  to_wide(name, wname);
  h = OpenEventW(access, FALSE, wname);
  if (h == NULL) die("OpenEventW");
  return h;
}

static HANDLE open_semaphore(const char *name, DWORD access) {
  WCHAR wname[NAME_MAX_CHARS];
  HANDLE h;
  to_wide(name, wname);
  h = OpenSemaphoreW(access, FALSE, wname);
  if (h == NULL) die("OpenSemaphoreW");
  return h;
}

// Creates the mutex (not initially owned), or opens it if it exists.
static HANDLE open_mutex(const char *name) {
  WCHAR wname[NAME_MAX_CHARS];
  HANDLE h;
  to_wide(name, wname);
  h = CreateMutexW(NULL, FALSE, wname);
  if (h == NULL) die("CreateMutexW");
  return h;
}

// Waits for h; returns TRUE if it was signaled, FALSE on a timeout.
static BOOL wait_signaled(HANDLE h, DWORD timeout_ms) {
  DWORD r = WaitForSingleObject(h, timeout_ms);
  if (r == WAIT_OBJECT_0) return TRUE;
  if (r == WAIT_TIMEOUT) return FALSE;
  die("WaitForSingleObject");
  return FALSE;
}

// Waits for the mutex without a time limit; returns TRUE if it was abandoned.
static BOOL acquire_mutex(HANDLE h) {
  DWORD r = WaitForSingleObject(h, INFINITE);
  if (r == WAIT_OBJECT_0) return FALSE;
  if (r == WAIT_ABANDONED) return TRUE;
  die("WaitForSingleObject");
  return FALSE;
}

// ---------------------------------------------------------------------------
// commands

static int run_set_event(const char *name) {
  HANDLE h = open_event(name, EVENT_MODIFY_STATE);
  if (!SetEvent(h)) die("SetEvent");
  CloseHandle(h);
  print_line("set");
  return 0;
}

static int run_pulse_events(const char *name, const char *count_text, const char *ms_text) {
  DWORD count = parse_count(count_text), ms = parse_count(ms_text), i;
  HANDLE h = open_event(name, EVENT_MODIFY_STATE);
  for (i = 0; i < count; i++) {
    Sleep(ms);
    if (!SetEvent(h)) die("SetEvent");
  }
  CloseHandle(h);
  print_line("done");
  return 0;
}

static int run_wait_event(const char *name, const char *timeout_text) {
  DWORD timeout = parse_count(timeout_text);
  HANDLE h = open_event(name, SYNCHRONIZE);
  print_line("ready");
  print_line(wait_signaled(h, timeout) ? "signaled" : "timeout");
  CloseHandle(h);
  return 0;
}

static int run_release_sem(const char *name, const char *count_text) {
  DWORD count = parse_count(count_text);
  HANDLE h;
  LONG previous = 0;
  if (count > 0x7fffffffu) usage();
  h = open_semaphore(name, SEMAPHORE_MODIFY_STATE);
  if (!ReleaseSemaphore(h, (LONG)count, &previous)) die("ReleaseSemaphore");
  printf("previous %ld\n", previous);
  fflush(stdout);
  CloseHandle(h);
  return 0;
}

static int run_acquire_sem(const char *name, const char *timeout_text) {
  DWORD timeout = parse_count(timeout_text);
  HANDLE h = open_semaphore(name, SYNCHRONIZE);
  print_line("ready");
  print_line(wait_signaled(h, timeout) ? "acquired" : "timeout");
  CloseHandle(h);
  return 0;
}

static int run_hold_mutex(const char *name) {
  HANDLE h = open_mutex(name), in;
  DWORD got;
  char buf[256];
  print_line(acquire_mutex(h) ? "abandoned" : "acquired");
  print_line("holding");
  in = GetStdHandle(STD_INPUT_HANDLE);
  if (in == INVALID_HANDLE_VALUE || in == NULL) die("GetStdHandle");
  for (;;) {
    if (!ReadFile(in, buf, sizeof buf, &got, NULL)) break;
    if (got == 0) break;
  }
  if (!ReleaseMutex(h)) die("ReleaseMutex");
  print_line("released");
  CloseHandle(h);
  return 0;
}

static int run_die_holding_mutex(const char *name) {
  HANDLE h = open_mutex(name);
  acquire_mutex(h);
  print_line("holding");
  ExitProcess(7);
  return 7;
}

static int run_increment(const char *name, const char *mapping, const char *count_text) {
  DWORD count = parse_count(count_text), i, value;
  WCHAR wmapping[NAME_MAX_CHARS];
  HANDLE mutex = open_mutex(name), section;
  volatile unsigned char *view;
  to_wide(mapping, wmapping);
  section = OpenFileMappingW(FILE_MAP_ALL_ACCESS, FALSE, wmapping);
  if (section == NULL) die("OpenFileMappingW");
  view = (volatile unsigned char *)MapViewOfFile(section, FILE_MAP_ALL_ACCESS, 0, 0, 8);
  if (view == NULL) die("MapViewOfFile");
  for (i = 0; i < count; i++) {
    acquire_mutex(mutex);
    // A plain read-modify-write: the mutex is what makes it safe.
    value = (DWORD)view[0] | ((DWORD)view[1] << 8) | ((DWORD)view[2] << 16) |
            ((DWORD)view[3] << 24);
    value++;
    view[0] = (unsigned char)(value & 255u);
    view[1] = (unsigned char)((value >> 8) & 255u);
    view[2] = (unsigned char)((value >> 16) & 255u);
    view[3] = (unsigned char)((value >> 24) & 255u);
    if (!ReleaseMutex(mutex)) die("ReleaseMutex");
  }
  if (!UnmapViewOfFile((LPCVOID)view)) die("UnmapViewOfFile");
  CloseHandle(section);
  CloseHandle(mutex);
  print_line("done");
  return 0;
}

static int run_timer(const char *name) {
  WCHAR wname[NAME_MAX_CHARS];
  HANDLE h;
  to_wide(name, wname);
  h = OpenWaitableTimerW(SYNCHRONIZE, FALSE, wname);
  if (h == NULL) die("OpenWaitableTimerW");
  print_line("ready");
  wait_signaled(h, INFINITE);
  print_line("fired");
  CloseHandle(h);
  return 0;
}

static int run_create(const char *kind, const char *name) {
  WCHAR wname[NAME_MAX_CHARS];
  HANDLE h, in;
  DWORD code, got;
  char buf[256];
  to_wide(name, wname);
  if (strcmp(kind, "event") == 0) h = CreateEventW(NULL, FALSE, FALSE, wname);
  else if (strcmp(kind, "semaphore") == 0) h = CreateSemaphoreW(NULL, 0, 1, wname);
  else if (strcmp(kind, "mutex") == 0) h = CreateMutexW(NULL, FALSE, wname);
  else if (strcmp(kind, "timer") == 0) h = CreateWaitableTimerW(NULL, FALSE, wname);
  else return 2;
  code = GetLastError();
  if (h == NULL) die("Create");
  print_line(code == ERROR_ALREADY_EXISTS ? "existed" : "created");
  in = GetStdHandle(STD_INPUT_HANDLE);
  if (in == INVALID_HANDLE_VALUE || in == NULL) die("GetStdHandle");
  for (;;) {
    if (!ReadFile(in, buf, sizeof buf, &got, NULL)) break;
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
  if (strcmp(cmd, "set-event") == 0 && argc == 3) return run_set_event(argv[2]);
  if (strcmp(cmd, "pulse-events") == 0 && argc == 5)
    return run_pulse_events(argv[2], argv[3], argv[4]);
  if (strcmp(cmd, "wait-event") == 0 && argc == 4) return run_wait_event(argv[2], argv[3]);
  if (strcmp(cmd, "release-sem") == 0 && argc == 4) return run_release_sem(argv[2], argv[3]);
  if (strcmp(cmd, "acquire-sem") == 0 && argc == 4) return run_acquire_sem(argv[2], argv[3]);
  if (strcmp(cmd, "hold-mutex") == 0 && argc == 3) return run_hold_mutex(argv[2]);
  if (strcmp(cmd, "die-holding-mutex") == 0 && argc == 3) return run_die_holding_mutex(argv[2]);
  if (strcmp(cmd, "increment") == 0 && argc == 5)
    return run_increment(argv[2], argv[3], argv[4]);
  if (strcmp(cmd, "timer") == 0 && argc == 3) return run_timer(argv[2]);
  if (strcmp(cmd, "create") == 0 && argc == 4) return run_create(argv[2], argv[3]);
  usage();
  return 2;
}
