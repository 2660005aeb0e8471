//go:build !unix

package main

// peakRSS is not measured on this platform.
func peakRSS() string { return "unknown" }
