package memstore

import (
	"bytes"
	"context"
)

type documents Store

func (d *documents) Load(_ context.Context, name string, since int64) ([]byte, int64, error) {
	d.docMu.Lock()
	defer d.docMu.Unlock()
	doc := d.docs[name]
	if doc.version == since {
		return nil, doc.version, nil
	}
	return bytes.Clone(doc.body), doc.version, nil
}

func (d *documents) Update(_ context.Context, name string, change func(cur []byte, version int64) ([]byte, error)) (int64, error) {
	d.docMu.Lock()
	defer d.docMu.Unlock()
	doc := d.docs[name]
	next, err := change(bytes.Clone(doc.body), doc.version)
	if err != nil {
		return 0, err
	}
	if d.docs == nil {
		d.docs = map[string]document{}
	}
	d.docs[name] = document{body: bytes.Clone(next), version: doc.version + 1}
	return doc.version + 1, nil
}
