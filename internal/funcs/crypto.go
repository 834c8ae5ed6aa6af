package funcs

// Hashing functions.

// digest is the shape shared by the crypto:* digests.
func digest(name, as, desc string) *Spec {
	return &Spec{Name: name, Kind: Transform, DefaultParam: "field", Value: true, Description: desc,
		Params: []Param{req("field", Fields), asParam(as)}}
}

func init() {
	register(
		&Spec{Name: "hash", Kind: Transform, DefaultParam: "field", Value: true,
			Description: "Non-cryptographic hash of one or more fields.",
			Params: []Param{
				req("field", Fields),
				asParam("_hash"),
				opt("limit", Number, ""),
				opt("seed", Number, ""),
			}},
		&Spec{Name: "tokenHash", Kind: Transform, DefaultParam: "field",
			Description: "Hash of a field's tokens.",
			Params:      []Param{req("field", Field), asParam("_tokenHash")}},
		digest("crypto:md5", "_md5", "MD5 digest."),
		digest("crypto:sha1", "_sha1", "SHA-1 digest."),
		digest("crypto:sha256", "_sha256", "SHA-256 digest."),
		&Spec{Name: "hashRewrite", Kind: Transform, DefaultParam: "field",
			Description: "Replaces a field with a salted secure hash.",
			Params: []Param{
				req("field", Field),
				asParam(""),
				opt("bits", Number, ""),
				opt("hash", String, ""),
				boolean("replaceInRawstring", "true"),
				req("salt", String),
			}},
	)
}
