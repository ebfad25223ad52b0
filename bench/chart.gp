# bench/chart.gp - the chart of a bench report: virtblkiosim / peer for
# every comparison, as bars with the range of the paired ratios, and the
# targets as lines.
#
#   gnuplot -e "dat='ratios.dat'; out='x.png'; title='...'; model=0" bench/chart.gp
#
# model=1 when the data has identity-model rows (else that series, all
# missing, is left out rather than warned about).
# dat is written by bench/report --dat: a label, then (ratio, low, high)
# for vs brd, vs null_blk, vs pread O_DIRECT and vs the in-kernel path,
# "-" where a row has no such comparison.

set terminal pngcairo size 1200,640 font "sans,10"
set output out
set title title noenhanced
set datafile missing "-"
set style data histograms
set style histogram errorbars gap 1 lw 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set yrange [0:*]
set ylabel "virtblkiosim / peer (higher is better)"
set grid ytics
set key inside left top vertical noenhanced opaque
set xtics rotate by -30 left noenhanced
set bmargin 7
set rmargin 20

# The targets: 1.00 (brd, pread, parity) and 1.10 (null_blk); the identity
# model's 0.50 is drawn only when there are model rows.
set arrow 1 from graph 0, first 1.0 to graph 1, first 1.0 nohead lw 2 dt 2 lc rgb "#333333" front
set arrow 2 from graph 0, first 1.1 to graph 1, first 1.1 nohead lw 1 dt 3 lc rgb "#d62728" front
set label 1 "1.00" at graph 1, first 1.0 offset 0.5,0 left
set label 2 "1.10 (null_blk target)" at graph 1, first 1.1 offset 0.5,0.6 left noenhanced tc rgb "#d62728"

if (!exists("model")) model = 0
if (model) {
	set arrow 3 from graph 0, first 0.5 to graph 1, first 0.5 nohead lw 1 dt 3 lc rgb "#9467bd" front
	set label 3 "0.50 (model target)" at graph 1, first 0.5 offset 0.5,0 left tc rgb "#9467bd"
	plot dat using 2:3:4:xtic(1) title "vs brd" lc rgb "#1f77b4", \
	     ''  using 5:6:7 title "vs null_blk" lc rgb "#ff7f0e", \
	     ''  using 8:9:10 title "ioctl vs pread/pwrite O_DIRECT" lc rgb "#2ca02c", \
	     ''  using 11:12:13 title "identity model vs in-kernel" lc rgb "#9467bd"
} else {
	plot dat using 2:3:4:xtic(1) title "vs brd" lc rgb "#1f77b4", \
	     ''  using 5:6:7 title "vs null_blk" lc rgb "#ff7f0e", \
	     ''  using 8:9:10 title "ioctl vs pread/pwrite O_DIRECT" lc rgb "#2ca02c"
}
