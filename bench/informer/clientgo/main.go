// The peer for bench/informer: the same informer job done by client-go, so certkeeper's figures
// are reported as ratios against what Go controllers (cert-manager among them) use.
//
//	informer-peer -kubeconfig F -mode crd|secrets-metadata -label L
//
// Prints one JSON line: {"objects":N,"sync_ms":T,"rss_kb":R,"hwm_kb":H,"base_rss_kb":B}.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/metadata/metadatainformer"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
)

func statusKB(field string) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, field+":") {
			f := strings.Fields(line)
			v, _ := strconv.ParseInt(f[1], 10, 64)
			return v
		}
	}
	return -1
}

func main() {
	kubeconfig := flag.String("kubeconfig", "", "kubeconfig")
	mode := flag.String("mode", "crd", "crd | secrets-metadata")
	label := flag.String("label", "", "label selector")
	flag.Parse()

	cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	cfg.QPS, cfg.Burst = 1000, 2000
	base := statusKB("VmRSS")
	tweak := func(o *metav1.ListOptions) { o.LabelSelector = *label }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	start := time.Now()
	var store cache.Store
	switch *mode {
	case "crd":
		client := dynamic.NewForConfigOrDie(cfg)
		f := dynamicinformer.NewFilteredDynamicSharedInformerFactory(client, 0, "", tweak)
		inf := f.ForResource(schema.GroupVersionResource{Group: "bench.certkeeper.test", Version: "v1", Resource: "widgets"}).Informer()
		store = inf.GetStore()
		go inf.Run(ctx.Done())
		cache.WaitForCacheSync(ctx.Done(), inf.HasSynced)
	case "secrets-metadata":
		client := metadata.NewForConfigOrDie(cfg)
		f := metadatainformer.NewFilteredSharedInformerFactory(client, 0, "", tweak)
		inf := f.ForResource(schema.GroupVersionResource{Version: "v1", Resource: "secrets"}).Informer()
		store = inf.GetStore()
		go inf.Run(ctx.Done())
		cache.WaitForCacheSync(ctx.Done(), inf.HasSynced)
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", *mode)
		os.Exit(2)
	}
	syncMs := time.Since(start).Milliseconds()
	runtime.GC() // settle, as a long-running controller would between resyncs
	time.Sleep(500 * time.Millisecond)
	out, _ := json.Marshal(map[string]int64{
		"objects": int64(len(store.List())), "sync_ms": syncMs,
		"rss_kb": statusKB("VmRSS"), "hwm_kb": statusKB("VmHWM"), "base_rss_kb": base,
	})
	fmt.Println(string(out))
}
