// Wrapper main for kube-apiserver, built by scripts/kube-testbin.sh inside a
// generated module that requires k8s.io/kubernetes at a pinned release.
package main

import (
	"os"
	_ "time/tzdata" // CronJob time zones without a system zoneinfo

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"          // --logging-format=json
	_ "k8s.io/component-base/metrics/prometheus/clientgo" // client-go metrics
	_ "k8s.io/component-base/metrics/prometheus/version"  // version metric
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() {
	os.Exit(cli.Run(app.NewAPIServerCommand()))
}
