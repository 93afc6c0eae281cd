package store

/*
// From sqlite3.h, which go-sqlite3 compiles into the same binary.
int sqlite3_config(int, ...);
long long sqlite3_memory_used(void);

// SQLITE_CONFIG_MEMSTATUS from sqlite3.h.
#define VETTED_SQLITE_CONFIG_MEMSTATUS 9

static int vetted_memstatus_off(void) {
	return sqlite3_config(VETTED_SQLITE_CONFIG_MEMSTATUS, 0);
}
*/
import "C"

// SQLite keeps statistics of its memory use by default: every allocation
// and free inside SQLite, several per statement, takes one mutex shared by
// the whole process to update them. Under concurrent reads that mutex was
// contended: perf showed a tenth of all CPU time in futex waits and wakes
// from sqlite3Malloc and sqlite3_free during make bench's mixed load.
// vetted reads none of these statistics (sqlite3_memory_used,
// sqlite3_status, heap limits), so they are turned off before SQLite
// initialises: SQLITE_CONFIG_MEMSTATUS, the run-time form of the
// SQLITE_DEFAULT_MEMSTATUS=0 that "Recommended Compile-time Options"
// (https://sqlite.org/compile.html) gives for speed.
//
// sqlite3_config works only before SQLite initialises, which it does on
// the first connection opened: package variables are set before any code
// of the program runs, so this one is set in time. memstatusErr is SQLite's
// result code, 0 (SQLITE_OK) when it took; TestMemstatusOff checks it.
var memstatusErr = int(C.vetted_memstatus_off())

// sqliteMemoryUsed is sqlite3_memory_used(): the bytes SQLite has
// allocated and not freed, as its statistics count them, so 0 while they
// are off.
func sqliteMemoryUsed() int64 { return int64(C.sqlite3_memory_used()) }
