// Command webhook is the bench's Alertmanager receiver: it records every notification it is sent and returns
// them on GET /notifications, so a test can count deliveries per alert.
package main

import (
	"encoding/json"
	"flag"
	"io"
	"log"
	"net/http"
	"sync"
	"time"
)

type notification struct {
	Received time.Time       `json:"received"`
	Body     json.RawMessage `json:"body"`
}

func main() {
	listen := flag.String("listen", ":8080", "address to listen on")
	flag.Parse()
	var mu sync.Mutex
	var received []notification
	http.HandleFunc("/alerts", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil || !json.Valid(body) {
			http.Error(w, "invalid JSON", http.StatusBadRequest)
			return
		}
		mu.Lock()
		received = append(received, notification{Received: time.Now().UTC(), Body: body})
		mu.Unlock()
		w.WriteHeader(http.StatusOK)
	})
	http.HandleFunc("/notifications", func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(received)
	})
	http.HandleFunc("/-/healthy", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	log.Printf("listening on %s", *listen)
	log.Fatal(http.ListenAndServe(*listen, nil))
}
