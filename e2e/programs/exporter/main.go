// Command exporter is the bench's scrape target: it serves a known set of series with known values, so the
// end-to-end tests can count what went in and compare it with what the querier returns.
//
//	e2e_test_value{series="<i>"} <i>        for i in [0, -series)
//	e2e_test_scrapes_total <n>              scrapes served so far
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
)

func main() {
	listen := flag.String("listen", ":8080", "address to serve /metrics on")
	series := flag.Int("series", 10, "number of e2e_test_value series")
	flag.Parse()
	pod := os.Getenv("POD_NAME")
	var scrapes atomic.Int64
	http.HandleFunc("/metrics", func(w http.ResponseWriter, _ *http.Request) {
		n := scrapes.Add(1)
		var b strings.Builder
		b.WriteString("# HELP e2e_test_value A gauge whose value is its series index.\n# TYPE e2e_test_value gauge\n")
		for i := 0; i < *series; i++ {
			fmt.Fprintf(&b, "e2e_test_value{series=\"%d\",exporter_pod=%q} %d\n", i, pod, i)
		}
		fmt.Fprintf(&b, "# HELP e2e_test_scrapes_total Scrapes served.\n# TYPE e2e_test_scrapes_total counter\ne2e_test_scrapes_total{exporter_pod=%q} %d\n", pod, n)
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		_, _ = w.Write([]byte(b.String()))
	})
	http.HandleFunc("/-/healthy", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	log.Printf("serving %d series on %s", *series, *listen)
	log.Fatal(http.ListenAndServe(*listen, nil))
}
