package store

/*
// From sqlite3.h, which go-sqlite3 compiles into the same binary.
typedef struct sqlite3 sqlite3;
int sqlite3_config(int, ...);
int sqlite3_db_config(sqlite3*, int, ...);
int sqlite3_auto_extension(void (*)(void));
int sqlite3_open_v2(const char*, sqlite3**, int, const char*);
int sqlite3_close(sqlite3*);
long long sqlite3_memory_used(void);

#define VETTED_SQLITE_CONFIG_MEMSTATUS 9
#define VETTED_SQLITE_DBCONFIG_ENABLE_QPSG 1007
#define VETTED_SQLITE_OPEN_READWRITE 0x00000002
#define VETTED_SQLITE_OPEN_MEMORY 0x00000080

// vetted_connection is run by SQLite for every connection it opens
// (sqlite3_auto_extension's entry point).
static int vetted_connection(sqlite3 *db, const char **err, const void *api) {
	return sqlite3_db_config(db, VETTED_SQLITE_DBCONFIG_ENABLE_QPSG, 1, (int*)0);
}

// vetted_configure sets the process-wide settings, in this order:
// sqlite3_auto_extension initialises SQLite, after which sqlite3_config
// refuses. Each is tried whatever the other's result; it returns the first
// failing result code, or 0.
static int vetted_configure(void) {
	int rc = sqlite3_config(VETTED_SQLITE_CONFIG_MEMSTATUS, 0);
	int rc2 = sqlite3_auto_extension((void (*)(void))vetted_connection);
	return rc != 0 ? rc : rc2;
}

// vetted_qpsg opens a connection and reads its QPSG setting back:
// 1 on, 0 off, -1 when the connection could not be opened.
static int vetted_qpsg(void) {
	sqlite3 *db = 0;
	int on = -1;
	if (sqlite3_open_v2(":memory:", &db, VETTED_SQLITE_OPEN_READWRITE | VETTED_SQLITE_OPEN_MEMORY, 0) == 0) {
		sqlite3_db_config(db, VETTED_SQLITE_DBCONFIG_ENABLE_QPSG, -1, &on);
	}
	sqlite3_close(db);
	return on;
}
*/
import "C"

// How vetted runs SQLite, set once for the process when package store is
// initialised: after the packages it imports (go-sqlite3 among them, whose
// initialisation does not initialise SQLite) and before anything in the
// program can open a connection. The memory setting must come before
// SQLite initialises; registering the automatic extension initialises it.
//
// Memory statistics are off. SQLite keeps them by default: every
// allocation and free inside SQLite, several per statement, takes one
// mutex shared by the whole process to update them. Under concurrent reads
// that mutex was contended: perf showed a tenth of all CPU time in futex
// waits and wakes from sqlite3Malloc and sqlite3_free during make bench's
// mixed load. vetted reads none of these statistics (sqlite3_memory_used,
// sqlite3_status, heap limits). This is SQLITE_CONFIG_MEMSTATUS, the
// run-time form of the SQLITE_DEFAULT_MEMSTATUS=0 that "Recommended
// Compile-time Options" (https://sqlite.org/compile.html) gives for speed.
//
// Every connection has the query planner stability guarantee
// (SQLITE_DBCONFIG_ENABLE_QPSG, https://sqlite.org/c3ref/c_dbconfig_defensive.html),
// set by an automatic extension (sqlite3_auto_extension) as each opens.
// Without it the planner peeks at some bound values (a LIMIT ?, a LIKE ?
// pattern) and marks the statement to be planned again when they change;
// go-sqlite3 clears a kept statement's bindings before every run
// (sqlite3_clear_bindings), which then throws the plan away. Every
// statement with LIMIT ? was parsed and planned again at every run: perf
// showed sqlite3Reprepare in 15% of all CPU time during the mixed load.
// With the guarantee a statement keeps one plan whatever its values.
//
// configErr is SQLite's result code, 0 (SQLITE_OK) when both took;
// TestSQLiteConfig checks it. Either failing costs speed, never
// correctness, so Open does not refuse to run without them.
var configErr = int(C.vetted_configure())

// sqliteMemoryUsed is sqlite3_memory_used(): the bytes SQLite has
// allocated and not freed, as its statistics count them, so 0 while they
// are off.
func sqliteMemoryUsed() int64 { return int64(C.sqlite3_memory_used()) }

// connectionQPSG opens a connection to an in-memory database and reports
// its query planner stability guarantee: 1 on, 0 off, -1 when the
// connection could not be opened.
func connectionQPSG() int { return int(C.vetted_qpsg()) }
