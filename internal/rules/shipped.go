package rules

import (
	shipped "github.com/tiercel/tiercel/rules"
)

// ShippedOrigin is how shipped rule files are named in messages: their path
// in the source tree.
const ShippedOrigin = "rules"

// Shipped loads the rule packages embedded in the binary.
func Shipped() ([]*Rule, error) {
	return LoadDir(shipped.FS, ".", ShippedOrigin)
}
