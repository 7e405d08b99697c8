// Package regions is the product's one source of knowledge about AWS
// regions: the partitions and the regions this provider version knows (with
// the coordinates and Route 53 geolocation the Traffic Flow simulator
// needs), the validation of region names, and suggestions for mistyped ones.
//
// The emulator keeps a table of its own (written from AWS's documentation):
// it shares no code with the product.
package regions
