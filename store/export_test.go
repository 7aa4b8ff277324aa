package store

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// sharedBuffers reads the buffers of the plan's top node (its first "Buffers:" line, which
// counts its children's): shared pages found in cache and read.
var sharedBuffers, bufferCounts = regexp.MustCompile(`Buffers: shared((?: \w+=\d+)+)`), regexp.MustCompile(`(hit|read)=(\d+)`)

// PageBuffers runs read on st, then runs each of its statements again under EXPLAIN
// (ANALYZE, BUFFERS) and returns the shared buffers PostgreSQL touched to execute them (in
// cache or read): a measure of a page's work that a loaded machine does not change, unlike
// its time. A page read in several statements (a dossier list merged per département)
// counts them all.
func PageBuffers(st *Store, read func(st *Store) error) (int, error) {
	var sqls []string
	rec := *st
	rec.db = st.db.Session(&gorm.Session{Logger: sqlLog{logger.Default.LogMode(logger.Silent), &sqls}})
	if err := read(&rec); err != nil {
		return 0, err
	}
	total := 0
	for _, sql := range sqls {
		n, err := statementBuffers(st, sql)
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// statementBuffers is the shared buffers of one statement's plan.
func statementBuffers(st *Store, sql string) (int, error) {
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

// sqlLog keeps every statement run.
type sqlLog struct {
	logger.Interface
	sqls *[]string
}

func (r sqlLog) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	sql, _ := fc()
	*r.sqls = append(*r.sqls, sql)
}
