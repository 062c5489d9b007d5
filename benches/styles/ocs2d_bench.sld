<?xml version="1.0" encoding="UTF-8"?>
<!-- OCS2D styled as the shared kit's mapfile (../shared/bench/mapserver/bench.map.in): same class
     colours, grey 0.5 px outlines, drawn below 1:200 000 (MAXSCALEDENOM). SLD 1.0. -->
<StyledLayerDescriptor version="1.0.0" xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc">
  <NamedLayer>
    <Name>ocs2d</Name>
    <UserStyle>
      <Name>bench</Name>
      <FeatureTypeStyle>
        <Rule>
          <Name>CS1.1.1.1</Name>
          <MaxScaleDenominator>200000</MaxScaleDenominator>
          <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS1.1.1.1</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
          <PolygonSymbolizer>
            <Fill><CssParameter name="fill">#e6004d</CssParameter></Fill>
            <Stroke><CssParameter name="stroke">#787878</CssParameter><CssParameter name="stroke-width">0.5</CssParameter></Stroke>
          </PolygonSymbolizer>
        </Rule>
        <Rule>
          <Name>CS1.1.1.2</Name>
          <MaxScaleDenominator>200000</MaxScaleDenominator>
          <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS1.1.1.2</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
          <PolygonSymbolizer>
            <Fill><CssParameter name="fill">#ff9191</CssParameter></Fill>
            <Stroke><CssParameter name="stroke">#787878</CssParameter><CssParameter name="stroke-width">0.5</CssParameter></Stroke>
          </PolygonSymbolizer>
        </Rule>
        <Rule>
          <Name>CS1.1.2.1</Name>
          <MaxScaleDenominator>200000</MaxScaleDenominator>
          <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS1.1.2.1</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
          <PolygonSymbolizer>
            <Fill><CssParameter name="fill">#cccccc</CssParameter></Fill>
            <Stroke><CssParameter name="stroke">#787878</CssParameter><CssParameter name="stroke-width">0.5</CssParameter></Stroke>
          </PolygonSymbolizer>
        </Rule>
        <Rule>
          <Name>CS1.2.2</Name>
          <MaxScaleDenominator>200000</MaxScaleDenominator>
          <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS1.2.2</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
          <PolygonSymbolizer>
            <Fill><CssParameter name="fill">#00ccf2</CssParameter></Fill>
            <Stroke><CssParameter name="stroke">#787878</CssParameter><CssParameter name="stroke-width">0.5</CssParameter></Stroke>
          </PolygonSymbolizer>
        </Rule>
        <Rule>
          <Name>CS2.1.1.1</Name>
          <MaxScaleDenominator>200000</MaxScaleDenominator>
          <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS2.1.1.1</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
          <PolygonSymbolizer>
            <Fill><CssParameter name="fill">#80ff00</CssParameter></Fill>
            <Stroke><CssParameter name="stroke">#787878</CssParameter><CssParameter name="stroke-width">0.5</CssParameter></Stroke>
          </PolygonSymbolizer>
        </Rule>
        <Rule>
          <Name>CS2.1.1.2</Name>
          <MaxScaleDenominator>200000</MaxScaleDenominator>
          <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS2.1.1.2</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
          <PolygonSymbolizer>
            <Fill><CssParameter name="fill">#00a600</CssParameter></Fill>
            <Stroke><CssParameter name="stroke">#787878</CssParameter><CssParameter name="stroke-width">0.5</CssParameter></Stroke>
          </PolygonSymbolizer>
        </Rule>
        <Rule>
          <Name>CS2.1.2</Name>
          <MaxScaleDenominator>200000</MaxScaleDenominator>
          <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS2.1.2</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
          <PolygonSymbolizer>
            <Fill><CssParameter name="fill">#a6e64d</CssParameter></Fill>
            <Stroke><CssParameter name="stroke">#787878</CssParameter><CssParameter name="stroke-width">0.5</CssParameter></Stroke>
          </PolygonSymbolizer>
        </Rule>
        <Rule>
          <Name>CS2.2.1</Name>
          <MaxScaleDenominator>200000</MaxScaleDenominator>
          <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS2.2.1</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
          <PolygonSymbolizer>
            <Fill><CssParameter name="fill">#ffffa8</CssParameter></Fill>
            <Stroke><CssParameter name="stroke">#787878</CssParameter><CssParameter name="stroke-width">0.5</CssParameter></Stroke>
          </PolygonSymbolizer>
        </Rule>
        <Rule>
          <Name>autre</Name>
          <MaxScaleDenominator>200000</MaxScaleDenominator>
          <ElseFilter/>
          <PolygonSymbolizer>
            <Fill><CssParameter name="fill">#f0f0f0</CssParameter></Fill>
            <Stroke><CssParameter name="stroke">#787878</CssParameter><CssParameter name="stroke-width">1</CssParameter></Stroke>
          </PolygonSymbolizer>
        </Rule>
      </FeatureTypeStyle>
    </UserStyle>
  </NamedLayer>
</StyledLayerDescriptor>
