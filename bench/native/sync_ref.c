// Copyright 2026 the winipc authors. MIT license.
//
// sync_ref.c: the native reference for `deno task bench`, sync section.
// Measures, from plain C, how fast a mutex can be taken and released with
// nobody else around, how fast two processes can hand a named mutex back and
// forth, and how many event ping-pongs two processes can do per second, so
// the Deno numbers can be read against what the platform itself allows.
//
// Build (mingw-w64):
//   x86_64-w64-mingw32-gcc -O2 -Wall -o build/sync_ref.exe bench/native/sync_ref.c
// Run:   sync_ref.exe [ms]   (ms per measurement, default 1000)
//
// Uncontended mutex (sync.mutex_uncontended): one process, an unnamed mutex,
// WaitForSingleObject(m, INFINITE) then ReleaseMutex, in batches of 16
// between clock reads; unmeasured for about ms/10, then counted for about ms.
// One operation is one acquire plus one release.
//
// Mutex hand-off (sync.mutex_handoff): the parent creates, with NAME being
// Local\winipc-ref-PID, a mutex NAME-mutex, two auto-reset events
// NAME-turn-a (initially set) and NAME-turn-b, and an 8-byte page-file
// backed mapping NAME-counter (a 32-bit counter at offset 0, a stop flag at
// offset 4), and starts a copy of itself with the arguments `handoff NAME`,
// which opens them. The parent repeatedly waits for turn-a, acquires the
// mutex, increments the counter, releases the mutex and sets turn-b; the
// child does the same with the events swapped. Both check, while holding the
// mutex, that the counter is what strict alternation implies. One hand-off
// is one acquire+release by one side; the parent counts its own, unmeasured
// for about ms/10 and then for about ms, and the rate reported is twice its
// count (both sides) per second. To stop the child the parent waits for
// turn-a (the child's last turn is over), sets the flag at offset 4 and sets
// turn-b a last time; the child exits when it sees the flag on waking, and
// the counter must then equal twice the parent's number of turns.
//
// Event ping-pong (sync.event_pingpong): the parent creates a small
// page-file backed mapping Local\winipc-ref-PID-pingpong and two auto-reset
// events Local\winipc-ref-PID-pingpong-a and Local\winipc-ref-PID-pingpong-b,
// and starts a copy of itself with the arguments `pong NAME`. One round
// trip: the parent sets event a and waits for b; the child wakes on a and
// sets b. Round trips run unmeasured for about ms/10, then are counted for
// about ms. To stop the child the parent sets the byte at offset 0 of the
// mapping to 1 and sets event a a last time; the child exits when it sees
// the flag on waking.
//
// Prints one JSON object per measurement on stdout, and nothing else there;
// errors go to stderr with exit status 1, usage errors exit 2.

#include <windows.h>
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNTER_SIZE 8
#define STOP_OFFSET 4
#define PINGPONG_MAP_SIZE 4096
#define BATCH 16
#define MAX_NAME 100
#define CHILD_EXIT_TIMEOUT_MS 30000

static LARGE_INTEGER freq;

static void die(const char *what) {
  fprintf(stderr, "sync_ref: %s failed (error %lu)\n", what, GetLastError());
  exit(1);
}

static double now_ms(void) {
  LARGE_INTEGER t;
  QueryPerformanceCounter(&t);
  return (double)t.QuadPart * 1000.0 / (double)freq.QuadPart;
}

static void print_rate(const char *bench, double ops_per_s) {
  printf("{\"bench\":\"%s\",\"impl\":\"native\",\"ops_per_s\":%.0f}\n", bench, ops_per_s);
  fflush(stdout);
}

// ---- uncontended mutex ----

static void lock_unlock(HANDLE m) {
  if (WaitForSingleObject(m, INFINITE) != WAIT_OBJECT_0) die("WaitForSingleObject (mutex)");
  if (!ReleaseMutex(m)) die("ReleaseMutex");
}

static void bench_mutex_uncontended(double ms) {
  unsigned long long count = 0;
  double t0, t1;
  int i;
  HANDLE m = CreateMutexW(NULL, FALSE, NULL);
  if (m == NULL) die("CreateMutexW");

  // Unmeasured warm-up of about ms/10.
  t0 = now_ms();
  do {
    for (i = 0; i < BATCH; i++) lock_unlock(m);
  } while (now_ms() - t0 < ms / 10);

  t0 = now_ms();
  do {
    for (i = 0; i < BATCH; i++) lock_unlock(m);
    count += BATCH;
    t1 = now_ms();
  } while (t1 - t0 < ms);
  CloseHandle(m);
  print_rate("sync.mutex_uncontended", (double)count / ((t1 - t0) / 1000.0));
}

// ---- children ----

static HANDLE open_event(const char *name, const char *suffix) {
  char ename[128];
  HANDLE e;
  snprintf(ename, sizeof ename, "%s%s", name, suffix);
  e = OpenEventA(SYNCHRONIZE | EVENT_MODIFY_STATE, FALSE, ename);
  if (e == NULL) die("OpenEventA");
  return e;
}

// The rest of a turn of the hand-off, once it is ours: take the mutex, check
// and bump the counter, release, and give the turn to the other side.
static void handoff_turn(HANDLE other, HANDLE m, volatile LONG *counter, LONG expected) {
  LONG seen;
  if (WaitForSingleObject(m, INFINITE) != WAIT_OBJECT_0) die("WaitForSingleObject (mutex)");
  seen = *counter;
  if (seen != expected) {
    fprintf(stderr, "sync_ref: counter is %ld, expected %ld\n", (long)seen, (long)expected);
    exit(1);
  }
  *counter = seen + 1;
  if (!ReleaseMutex(m)) die("ReleaseMutex");
  if (!SetEvent(other)) die("SetEvent (turn)");
}

static int handoff_main(const char *name) {
  char oname[128];
  volatile unsigned char *view;
  HANDLE map, m, turn_a, turn_b;
  LONG expected = 1;
  if (strlen(name) > MAX_NAME) {
    fprintf(stderr, "sync_ref: bad handoff arguments\n");
    return 2;
  }
  snprintf(oname, sizeof oname, "%s-counter", name);
  map = OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, oname);
  if (map == NULL) die("OpenFileMappingA (handoff)");
  view = (volatile unsigned char *)MapViewOfFile(map, FILE_MAP_ALL_ACCESS, 0, 0, COUNTER_SIZE);
  if (view == NULL) die("MapViewOfFile (handoff)");
  snprintf(oname, sizeof oname, "%s-mutex", name);
  m = OpenMutexA(SYNCHRONIZE | MUTEX_MODIFY_STATE, FALSE, oname);
  if (m == NULL) die("OpenMutexA");
  turn_a = open_event(name, "-turn-a");
  turn_b = open_event(name, "-turn-b");
  for (;;) {
    if (WaitForSingleObject(turn_b, INFINITE) != WAIT_OBJECT_0)
      die("WaitForSingleObject (turn-b)");
    if (view[STOP_OFFSET] != 0) break;
    handoff_turn(turn_a, m, (volatile LONG *)view, expected);
    expected += 2;
  }
  CloseHandle(turn_a);
  CloseHandle(turn_b);
  CloseHandle(m);
  UnmapViewOfFile((void *)view);
  CloseHandle(map);
  return 0;
}

static int pong_main(const char *name) {
  volatile unsigned char *view;
  HANDLE map, a, b;
  if (strlen(name) > MAX_NAME) {
    fprintf(stderr, "sync_ref: bad pong arguments\n");
    return 2;
  }
  map = OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, name);
  if (map == NULL) die("OpenFileMappingA (pong)");
  view = (volatile unsigned char *)MapViewOfFile(map, FILE_MAP_ALL_ACCESS, 0, 0,
                                                 PINGPONG_MAP_SIZE);
  if (view == NULL) die("MapViewOfFile (pong)");
  a = open_event(name, "-a");
  b = open_event(name, "-b");
  for (;;) {
    if (WaitForSingleObject(a, INFINITE) != WAIT_OBJECT_0) die("WaitForSingleObject (pong)");
    if (view[0] != 0) break;
    if (!SetEvent(b)) die("SetEvent (b)");
  }
  CloseHandle(a);
  CloseHandle(b);
  UnmapViewOfFile((void *)view);
  CloseHandle(map);
  return 0;
}

// ---- parent ----

// Starts a copy of this program with the arguments `mode name`; returns its
// process handle.
static HANDLE start_child(const char *mode, const char *name) {
  WCHAR exe[MAX_PATH], cmd[MAX_PATH + 160];
  STARTUPINFOW si;
  PROCESS_INFORMATION pi;
  DWORD len = GetModuleFileNameW(NULL, exe, MAX_PATH);
  if (len == 0 || len >= MAX_PATH) die("GetModuleFileNameW");
  _snwprintf(cmd, MAX_PATH + 160, L"\"%ls\" %hs %hs", exe, mode, name);
  cmd[MAX_PATH + 159] = L'\0';
  memset(&si, 0, sizeof si);
  si.cb = sizeof si;
  if (!CreateProcessW(exe, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi))
    die("CreateProcessW");
  CloseHandle(pi.hThread);
  return pi.hProcess;
}

static void wait_child(HANDLE proc) {
  DWORD code = 0;
  if (WaitForSingleObject(proc, CHILD_EXIT_TIMEOUT_MS) != WAIT_OBJECT_0)
    die("WaitForSingleObject (child exit)");
  if (!GetExitCodeProcess(proc, &code)) die("GetExitCodeProcess");
  if (code != 0) {
    fprintf(stderr, "sync_ref: the child exited with status %lu\n", (unsigned long)code);
    exit(1);
  }
  CloseHandle(proc);
}

static void bench_mutex_handoff(double ms) {
  char name[64], oname[128];
  volatile unsigned char *view;
  volatile LONG *counter;
  HANDLE map, m, turn_a, turn_b, proc;
  unsigned long long count = 0;
  LONG turns = 0;
  double t0, t1;
  snprintf(name, sizeof name, "Local\\winipc-ref-%lu", (unsigned long)GetCurrentProcessId());
  snprintf(oname, sizeof oname, "%s-counter", name);
  map = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, COUNTER_SIZE, oname);
  if (map == NULL) die("CreateFileMappingA (handoff)");
  view = (volatile unsigned char *)MapViewOfFile(map, FILE_MAP_ALL_ACCESS, 0, 0, COUNTER_SIZE);
  if (view == NULL) die("MapViewOfFile (handoff)");
  counter = (volatile LONG *)view;
  snprintf(oname, sizeof oname, "%s-mutex", name);
  m = CreateMutexA(NULL, FALSE, oname);
  if (m == NULL) die("CreateMutexA");
  snprintf(oname, sizeof oname, "%s-turn-a", name);
  turn_a = CreateEventA(NULL, FALSE, TRUE, oname);
  if (turn_a == NULL) die("CreateEventA (turn-a)");
  snprintf(oname, sizeof oname, "%s-turn-b", name);
  turn_b = CreateEventA(NULL, FALSE, FALSE, oname);
  if (turn_b == NULL) die("CreateEventA (turn-b)");
  proc = start_child("handoff", name);

  // Unmeasured warm-up of about ms/10.
  t0 = now_ms();
  do {
    if (WaitForSingleObject(turn_a, INFINITE) != WAIT_OBJECT_0)
      die("WaitForSingleObject (turn-a)");
    handoff_turn(turn_b, m, counter, 2 * turns);
    turns++;
  } while (now_ms() - t0 < ms / 10);

  t0 = now_ms();
  do {
    if (WaitForSingleObject(turn_a, INFINITE) != WAIT_OBJECT_0)
      die("WaitForSingleObject (turn-a)");
    handoff_turn(turn_b, m, counter, 2 * turns);
    turns++;
    count++;
    t1 = now_ms();
  } while (t1 - t0 < ms);

  // Wait for the child's last turn, then stop it.
  if (WaitForSingleObject(turn_a, INFINITE) != WAIT_OBJECT_0)
    die("WaitForSingleObject (turn-a, stop)");
  view[STOP_OFFSET] = 1;
  if (!SetEvent(turn_b)) die("SetEvent (turn-b, stop)");
  wait_child(proc);
  if (*counter != 2 * turns) {
    fprintf(stderr, "sync_ref: the counter is %ld after %ld increments\n", (long)*counter,
            (long)(2 * turns));
    exit(1);
  }
  CloseHandle(turn_a);
  CloseHandle(turn_b);
  CloseHandle(m);
  UnmapViewOfFile((void *)view);
  CloseHandle(map);
  print_rate("sync.mutex_handoff", 2.0 * (double)count / ((t1 - t0) / 1000.0));
}

static void round_trip(HANDLE a, HANDLE b) {
  if (!SetEvent(a)) die("SetEvent (a)");
  if (WaitForSingleObject(b, INFINITE) != WAIT_OBJECT_0) die("WaitForSingleObject (b)");
}

static void bench_event_pingpong(double ms) {
  char name[64], ename[96];
  volatile unsigned char *view;
  HANDLE map, a, b, proc;
  unsigned long long count = 0;
  double t0, t1;
  snprintf(name, sizeof name, "Local\\winipc-ref-%lu-pingpong",
           (unsigned long)GetCurrentProcessId());
  map = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, PINGPONG_MAP_SIZE,
                           name);
  if (map == NULL) die("CreateFileMappingA (pingpong)");
  view = (volatile unsigned char *)MapViewOfFile(map, FILE_MAP_ALL_ACCESS, 0, 0,
                                                 PINGPONG_MAP_SIZE);
  if (view == NULL) die("MapViewOfFile (pingpong)");
  snprintf(ename, sizeof ename, "%s-a", name);
  a = CreateEventA(NULL, FALSE, FALSE, ename);
  if (a == NULL) die("CreateEventA (a)");
  snprintf(ename, sizeof ename, "%s-b", name);
  b = CreateEventA(NULL, FALSE, FALSE, ename);
  if (b == NULL) die("CreateEventA (b)");
  proc = start_child("pong", name);

  // Unmeasured warm-up of about ms/10.
  t0 = now_ms();
  do {
    round_trip(a, b);
  } while (now_ms() - t0 < ms / 10);

  t0 = now_ms();
  do {
    round_trip(a, b);
    count++;
    t1 = now_ms();
  } while (t1 - t0 < ms);

  view[0] = 1;
  if (!SetEvent(a)) die("SetEvent (a, stop)");
  wait_child(proc);
  CloseHandle(a);
  CloseHandle(b);
  UnmapViewOfFile((void *)view);
  CloseHandle(map);
  print_rate("sync.event_pingpong", (double)count / ((t1 - t0) / 1000.0));
}

int main(int argc, char **argv) {
  QueryPerformanceFrequency(&freq);
  if (argc == 3 && strcmp(argv[1], "handoff") == 0) return handoff_main(argv[2]);
  if (argc == 3 && strcmp(argv[1], "pong") == 0) return pong_main(argv[2]);
  _setmode(_fileno(stdout), _O_BINARY);
  double ms = argc > 1 ? atof(argv[1]) : 1000.0;
  if (argc > 2 || ms <= 0) {
    fprintf(stderr, "usage: sync_ref.exe [ms]\n");
    return 2;
  }
  bench_mutex_uncontended(ms);
  bench_mutex_handoff(ms);
  bench_event_pingpong(ms);
  return 0;
}
