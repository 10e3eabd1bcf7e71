// TF.js weight shards handed over from JavaScript: an object {[name]: Uint8Array | ArrayBuffer} that the
// importer reads through its TfjsShardReader (webcnn/model.h).
#pragma once

#include <emscripten/val.h>

#include "webcnn/model.h"

namespace webcnn::js {

// A ShardReader over `shards`, which must outlive it. A manifest path is looked up as given, then by
// its file name alone (files a page gets from <input type=file> or a drop have no directories). Each
// shard is copied into the wasm heap when the importer asks for it, and that copy is the importer's to
// free, so the heap never holds every shard twice.
TfjsShardReader shard_reader(const emscripten::val& shards);

}  // namespace webcnn::js
