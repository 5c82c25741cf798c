// Wrapper main for etcd (see scripts/kube-testbin.sh): the etcd server module
// exposes its whole command line through etcdmain.Main.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
