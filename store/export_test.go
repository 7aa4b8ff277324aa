package store

import (
	"regexp"
	"strconv"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// sharedBuffers reads the buffers of the plan's top node (its first "Buffers:" line, which
// counts its children's): shared pages found in cache and read.
var sharedBuffers, bufferCounts = regexp.MustCompile(`Buffers: shared((?: \w+=\d+)+)`), regexp.MustCompile(`(hit|read)=(\d+)`)

// PageBuffers runs read on st, then runs its last statement again under EXPLAIN (ANALYZE,
// BUFFERS) and returns the shared buffers PostgreSQL touched to execute it (in cache or
// read): a measure of a page's work that a loaded machine does not change, unlike its time.
func PageBuffers(st *Store, read func(st *Store) error) (int, error) {
	var sql string
	rec := *st
	rec.db = st.db.Session(&gorm.Session{Logger: sqlRecorder{logger.Default.LogMode(logger.Silent), &sql}})
	if err := read(&rec); err != nil {
		return 0, err
	}
	var lines []string
	if err := st.db.Raw("EXPLAIN (ANALYZE, BUFFERS) " + sql).Scan(&lines).Error; err != nil {
		return 0, err
	}
	for _, l := range lines {
		if strings.HasPrefix(l, "Planning") {
			break // the plan's nodes touched no buffer
		}
		m := sharedBuffers.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		total := 0
		for _, kv := range bufferCounts.FindAllStringSubmatch(m[1], -1) {
			n, _ := strconv.Atoi(kv[2])
			total += n
		}
		return total, nil
	}
	return 0, nil
}
