// Command pause is the bench cluster's pod sandbox process: it holds the pod's namespaces open and exits
// cleanly on SIGTERM or SIGINT, as the upstream pause image does.
package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
	<-signals
}
